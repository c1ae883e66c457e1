/** Credentials written into instance user data / custom data (shared by the AWS and Azure checks). */

const PATTERNS: readonly [RegExp, string][] = [
  [/\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b/, 'an AWS access key id'],
  [/aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+=]{40}\b/i, 'an AWS secret access key'],
  [/-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/, 'a private key'],
];

/** What kind of credential the text contains, if any. */
export function credentialIn(text: string): string | undefined {
  const t = text.length > 1024 * 1024 ? text.slice(0, 1024 * 1024) : text;
  return PATTERNS.find(([re]) => re.test(t))?.[1];
}

/** Base64 text decoded when it looks like base64 (user_data_base64, custom_data), else undefined. */
export function decodeBase64(text: string): string | undefined {
  const t = text.replace(/\s+/g, '');
  if (t.length < 8 || t.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return undefined;
  return Buffer.from(t, 'base64').toString('utf8');
}
