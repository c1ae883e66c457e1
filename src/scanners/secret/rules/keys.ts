import type { SecretRule } from '../rule.js';
import { L, LW, R, RB64, anyOf, assigned, NO_DIGIT } from './helpers.js';

/**
 * Private keys and signed tokens. The PEM rule matches the whole BEGIN…END block (multi-line, and
 * the JSON-escaped `\n` form); a block whose body is a placeholder (`...`, `***`, a few bytes) is
 * not a key.
 */
export const keyRules: SecretRule[] = [
  {
    id: 'private-key',
    title: 'Private key (PEM / OpenSSH / PGP)',
    description:
      'A private key block: PKCS#1/PKCS#8/SEC1 (`-----BEGIN RSA|EC|DSA|ENCRYPTED PRIVATE KEY-----`), OpenSSH, SSH2 or a PGP private key block, with at least 64 characters of base64 body. The END line may be missing (a truncated paste is still a leak).',
    regex:
      `(-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----` +
      `(?:\\\\[rn]|[\\t \\r\\n])+` +
      `(?:[A-Za-z][A-Za-z-]{0,29}:[^\\r\\n\\\\]{0,200}(?:\\\\[rn]|[\\t \\r\\n])+){0,6}` +
      `[A-Za-z0-9+/=\\\\\\t \\r\\n]{64,32768}` +
      `(?:-----END[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----)?)`,
    span: 16384,
    keywords: ['private key'],
    entropy: 4,
    allow: { regexes: ['[xX*.]{6,}|<[A-Za-z_ -]{1,40}>'] },
    severity: 'critical',
    confidence: 'high',
    references: [
      'https://www.rfc-editor.org/rfc/rfc7468',
      'https://www.rfc-editor.org/rfc/rfc4880#section-6.2',
    ],
    equivalents: { gitleaks: ['private-key'], trivy: ['private-key'] },
    truePositives: [
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAN4w5v9lyAI+i5xrVb7gJlqIihssssPUviTedTyxCTEfid2cs\nlRBERCONjOz2ifwDq96amIoymWrY17pLA9HwBT5qbsSzjABbVdcXRakkSPni05xE\niVIx0seW0mtjzoSmBU7mBj+RKozp1D/+7YpTSosb8htQAE1U913Nl1CWVJIe+DlS\nt5aVAO80YWIZaI+pge1lyr2PX5uPsKNXHOs+5Kg5GUHElopbvT1klgCBn2W5WEOa\n-----END RSA PRIVATE KEY-----',
      '"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCOuhkJGdKoszY009dmV7/JKoD3eHOS65y\\nfDgnAkMhzu7TqKUysrHGP8JqSC1mt+dxkx4+Lx0OYUpu4W9FISmNqVSgNaLsPzQ2\\nAMwMkIn2ntnIniGyaE/EY6mkh2NeDuF627DxrJ8sO/AHx4XVSWg4lyJG6e+HLYcS\\n-----END PRIVATE KEY-----\\n"',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nwznlRUOiboBjAt2I+BCptt36bXGyxpluuYwS5Ydqa2xQJyRsJ3b+e5TRXU231PItxdAeCo\nV/87fjbxeFGffmYi9Q0Qe7HcrZ6Iaow8qW/CQYizAycWdeYtAu8mofp1LXvR0yltlR1ifY',
      '-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\nlQOYBFeB1c7SA9uk64ajzl+kYJZ9Eeu51UIRmgRvRHkU28kkp4I4bSBkjSV7Tg6X\nHloIbbXhuHV3ckzKvEJpKGf1PghjjrnTWPVLLpNuaT/U5y37TwYlIQURMvg/X+rb\nszUz+iYErvRhJ36ZAD4dHKqhZ2FW4lrKta7GQoxhG7D3lUDyFc+8DgYWNhlScv5q\n-----END PGP PRIVATE KEY BLOCK-----',
    ],
    falsePositives: [
      '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----',
      '-----BEGIN PRIVATE KEY-----\nYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo=\n-----END PRIVATE KEY-----',
      '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEANV+ZlhVyQ13izDSAdqGA\nLk7fnL/XpwjmKsGP34uQ1iGWsf6vEd4krVW2PYgeJpfBoUajmkHI8cWRsXGouvDB\nuVJCg95DBw3cfVzJy2b3g825yPsh2HhYHsVI4MOvPbQMdyXnKWzfIE0um2nYFowq\n-----END PUBLIC KEY-----',
      '-----BEGIN CERTIFICATE-----\nMIIDxTCCAq2gAwIBAgIQAqxcJmoLQJuPC3nyrkYldzANBgkqhkiG9w0BAQsFADBs\nCMZ3BiNm/iSgBPnoWSa/8J4fHudMn2ztOJmH/JXcXIeiIekmrjlDkQQLG3mmO6OU\n-----END CERTIFICATE-----',
    ],
  },
  {
    id: 'private-key-der-base64',
    title: 'Private key (base64 DER without PEM armour)',
    description:
      'A base64 DER private key pasted without its PEM header, as in `"privateKey": "MIIEvAIBADAN…"`: PKCS#8 RSA/DSA/EC/Ed25519, PKCS#1 RSA or SEC1 EC, recognised by their ASN.1 prefixes.',
    regex: `(?<![A-Za-z0-9+/])(MII[A-Za-z0-9+/]{2}[AQgw]IBA(?:DAN|DCC|AK)[A-Za-z0-9+/]{100,12000}={0,2}|MIG[A-Za-z0-9+/]AgEAM(?:BMG|BAG)[A-Za-z0-9+/]{100,1000}={0,2}|MHcCAQEE[A-Za-z0-9+/]{100,300}={0,2}|MIGkAgEBBD[A-Za-z0-9+/]{100,400}={0,2}|MC4CAQAwBQYDK2Vw[A-Za-z0-9+/]{40,48}={0,2})${RB64}`,
    span: 16384,
    keywords: ['ibadan', 'ibadcc', 'ibaak', 'ageam', 'mhccaqee', 'migkagebbd', 'mc4caqawbqydk2vw'],
    entropy: 4.5,
    severity: 'critical',
    references: ['https://www.rfc-editor.org/rfc/rfc5208', 'https://www.rfc-editor.org/rfc/rfc5915'],
    truePositives: [
      '"privateKey": "MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQZ7f4JX3hDZO5QkT8O+/ZeU98m5luEr6BUWETsfCVx+g3vovep68azETRF2A4OGPzThqeZ5K/5lA+hrjWcds+gcCQkWGNjx8WWY25gHJi5uRq0Q+4wEAo26GV21Jo7VAOffrzEz18yQ3bc74eFktcPb9TZ73Limz9xh5tTLjl0zqdqQsPYo8KDnpLEBoV8U09kK4nYeKvleTBxwoqgtyuLii/qEkA1xgcyodRgSCJTNPdpMST0Guhr/NCmhBfbb3Mak3WpHNiehX43NKvFjII2gpJB7gttnDkx8FEUYyWjTtFqMPV2tN79fqI4t4i0fMxnmdLIOb8s7vOrwWu/gGcqAXHiKjdDCDow8KxHwYIFNk0rBBx4jS5py8l6JEyR4Uh74yuCWbgYFsBasdOjW256EzlcNeknWtOia+ZuAKJqUH6OZYC3NXwnWMmQsBqJQPix59AaF4dsYPUzBiScgrnIjplg669jY9iTCgcelS/ImoI38yJUQB9ZorrJbEA/9rZjudt/Q0QrAhezwsW2KbkXghhLXbPKB1GjfJcFxqz1WKQEhZXseZG74vpgAQMaMQFcxm4/1mpAcP+Jux/qO0VIM1XlHr3hzZ7xFHiyI4VUh495o40c2kzJoJj8TTslIuuw/Z7CbOZtHwtt3FvPHi32TcWzKDL922y8EXTQ37K3ZoJPQSZm7sYBWyuLreBNzxGgBimLgzkYd72MZWcfCJxgKeXQ3szwWdAqDL6Lkv5I7s6LFJD83xEkv7eyA/VHx+x3zp2h3rXxBnvIqFji8E/mBEr55FtwNQl7XhEoj2Y50WhiL6FuTxBVwTDzDJ0XJOhowhiglfyMo27UmxIveATBgJrZ9m5lQKGQrZ2BbyF59paI7ezxvQnSY0Ke0YGovCaMYGgoOr0n01lfwOdNikXHb1FY/d6Ui6uBgzDlGlK3BEyeXF+XVjpgCDRQmf5sRtNV680o8IMNzqKP/k5YU5tBRYpWwDQhDVv9CP0zEfWNF4SNmJcXodUpFhCT6V+adxErxRa3PdYg1zKyDSzOeW7VhdivAIhaEAYqlkQbmQACpJpJjYRhvVyGt3BQivG4m6tKLJQLUF6xY+262zDtYwS6lHY66kgVE7vM29RIaXvgiPFTiy+ISTkvbLX7ra9+3/SNNKh7MB3q4tFJLxhI2olGFPjpVMA/UJCM34O4B6yrO5ZqkE0vMUVr9K3eKymlsRtCN+AO8ddFzYo+ENRsvo+h5R8U7Sf+0ZZhyhdb9LyWSe9tCilHfJjb0PFYA8H6nEztmoOyn35oCDOHLLLr//+nb+lNlFdhmOdWADDvRdzF8QtVqZeK8cUK6SP0N+YjMJd27MZhtw5TUD8wPPn6H0i+C5uOqw91S4boVhONO40Nj2L61Tnb1pAKcL/EPm59IWi7G3f9zkjIGUoBmbb4RnDq26aH5HzTasJgZh+NFvTJyvaElgQRR8B6L6DD6ndoLfAmXt/IwYjClBoiksk8pt8HOTRl6ui"',
      'ED25519_KEY=MC4CAQAwBQYDK2VwBCIEIyPqJS2PIlFdYnstp6IYlE4FyzVw9Gg/GScwEud+BfK5',
    ],
    falsePositives: [
      'MIIDxTCCAq2gAwIBAgIQAqxcJmoLQJuPC3nyrkYldzANBgkqhkiG9w0BAQsFADBsZFEvK93z1lIUu4wait1OCvB3vFkPesfr9O+ztGhwp28diAjMe5eQxZBg7GxDQUvztkMi+Fz3fzRVlTWDsU5KyKhrDwkA+f7b4CBQVKaAPxfpxvKDRqTNLn3YVcLfuPRFs4jHigaJ+Ua/MkiXJL2yXG3hsF7RwkSSqywbsxaYImG704JMnFHNbJl/8EaxAaCamLRQOZn4',
      'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAFESsTZvaPr6MObyo0FA/1ndPOLLftgEy7GbatOOPZK4NOsifBtGlaX/EJCBVGxM200bGUY2O2lHiK2NJa4l8uNiF/p4mkFtagpsPYpMs6oIXpjVVa/VIakdBaRUo18yzD8trRI+S/iOD6SYGiAuD0eBR+oDwuTuLMub+QxulaVUGm55UtmaFyH9Fwo43S30ypzHnZfa5QOQ82HPhDPwiWB+YMIIlSdjD8Qj7aX1v8j3uDxiOSbXh5ETbPvB188WnVxacePSEf1fAwbtdoir+2tKRu4V09D1nXqg94OO28TDx',
    ],
  },
  {
    id: 'putty-private-key',
    title: 'PuTTY private key',
    description: 'A PuTTY `.ppk` private key file (`PuTTY-User-Key-File-2/3:` … `Private-Lines:` + base64).',
    regex: `(PuTTY-User-Key-File-[23]: [^\\r\\n]{1,64}(?:\\r?\\n[A-Za-z-]{1,30}: ?[^\\r\\n]{0,200}){1,8}(?:\\r?\\n[A-Za-z0-9+/=]{1,64}){1,200}\\r?\\nPrivate-Lines: [0-9]{1,3}(?:\\r?\\n[A-Za-z0-9+/=]{1,64}){1,200})`,
    span: 8192,
    keywords: ['putty-user-key-file-'],
    severity: 'critical',
    references: ['https://the.earth.li/~sgtatham/putty/0.78/htmldoc/AppendixC.html'],
    truePositives: [
      'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy@acme\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIYKop/o21H+4FifvGTvodQ3uFGBu44xShxIPTKYk\noWM5IHI9J2aJfr1VSDgD\nPrivate-Lines: 1\nAAAAIGcTK7tmGbOmpqWPncGWDSf87nwGFAaP0ANLTFTx\nPrivate-MAC: edea8b0992ddc2f78b7ab1723fc1fb229a475c0ee11d83d78213c58d5ec2c778',
    ],
    falsePositives: ['PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none', 'PuTTYgen can convert keys'],
  },
  {
    id: 'jwt',
    title: 'JSON Web Token',
    description:
      'A JWT (JWS compact form): a header segment that is base64url JSON (`eyJ…`) containing `"alg"` and ending in `}`, a JSON payload segment (`eyJ…`), and usually a signature. Often a session or service-account credential; may be expired.',
    regex: `${LW}((?=eyJ)(?=[A-Za-z0-9_-]{0,1500}?(?:ImFsZy|JhbGci|iYWxnI))eyJ[A-Za-z0-9_-]{10,1500}(?:fQ|[09])={0,2}\\.eyJ[A-Za-z0-9_-]{10,16000}={0,2}(?:\\.[A-Za-z0-9_-]{8,2000}={0,2})?)(?![A-Za-z0-9_=-])`,
    span: 8192,
    keywords: ['eyj'],
    validate: isRealJwt,
    entropy: 3.5,
    severity: 'medium',
    confidence: 'medium',
    references: [
      'https://www.rfc-editor.org/rfc/rfc7519',
      'https://www.rfc-editor.org/rfc/rfc7515#section-3.1',
    ],
    equivalents: { gitleaks: ['jwt'], trivy: ['jwt-token'] },
    truePositives: [
      'Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5ODc2NTQzMjEwIiwicm9sZSI6ImFkbWluIiwiaWF0IjoxNzAwMDAwMDAwfQ.zgLLCmAMeprjrTJFpduCJiwCOcTNDbgnJt9ML0XTqVV',
      'token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhY21lIiwic3ViIjoiY2kifQ.KpKE4uRyDoBOJ5UIuHKdS-aGWFCpukoCPLLfoiGzC6qdA2ubQk9kAbtpGk-8d8qHzI9ze3DZKsnagqDgY3SKgQ"',
    ],
    falsePositives: [
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ.eyJzdWIiOiI5ODc2NTQzMjEwIn0.47PjUG905ahilEAq3GfP9ODjYU5MdWp02U0DcTrA8kw',
      'bm90X3ZhbGlkX2pzb25fYXRfYWxs.bm90X3ZhbGlkX2pzb25fYXRfYWxs.IPwdiM7Df4ra3berSCmOzFM6o3bfupJuOhvoBlm2DHH',
      'eyJ0eXAiOiJub3RoaW5nIn0.eyJzdWIiOiI5ODc2NTQzMjEwIn0.RoiPlFkK4lWLgyx9s5p3PQ4nAiC8ep9t3EC-eCWQpLn',
      // the jwt.io documentation example (header and payload of every JWT tutorial)
      'token: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    ],
  },
  {
    id: 'jwt-base64',
    title: 'Base64-encoded JSON Web Token',
    description:
      'A JWT that was base64-encoded again (`ZXlK…` = base64 of `eyJ…`), as in Kubernetes secrets and config blobs; recognised by the encoded `.eyJ` segment separator.',
    regex: `${L}((?=ZXlK)(?=[A-Za-z0-9+/]{4,16000}?(?:LmV5S|5leU|uZXlK))ZXlK[A-Za-z0-9+/]{40,16000}={0,2})${RB64}`,
    span: 8192,
    keywords: ['zxlk'],
    entropy: 4,
    severity: 'medium',
    confidence: 'medium',
    references: ['https://www.rfc-editor.org/rfc/rfc7519'],
    equivalents: { gitleaks: ['jwt-base64'] },
    truePositives: [
      'token: ' +
        'ZXlKaGJHY2lPaUpJVXpJMU5pSjkuZXlKemRXSWlPaUpoWTIxbEluMC4' +
        'wp+Q9ohJUJBk0iRsSEjQX18UVbbXL3Z1TowARel6Cy9gKceYSJ1GpHQ2Sa30',
    ],
    falsePositives: [
      'ZXlKaGJHY2lPaUpJVXpJMU5pSjk+JTlWoYCxvGkEGIQPJf8bGYrtg2ZFjbh83AKDi4P6GiNKCvs25H+oLd1qJhc',
      'ZXlKkQSe3uoZb4',
    ],
  },
  {
    id: 'age-secret-key',
    title: 'age secret key',
    description: 'An age encryption identity: `AGE-SECRET-KEY-1` + 58 bech32 characters.',
    regex: `${L}(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})${R}`,
    keywords: ['age-secret-key-1'],
    entropy: 3,
    severity: 'critical',
    confidence: 'high',
    references: ['https://github.com/C2SP/C2SP/blob/main/age.md'],
    equivalents: { gitleaks: ['age-secret-key'], trivy: ['age-secret-key'] },
    truePositives: [
      '# created: 2024-05-01\nAGE-SECRET-KEY-10GS3AZZZUX9S00H424T8Z8VNNZPF5R5QUA45T026W4GNL088VAA0D6D488',
    ],
    falsePositives: [
      'AGE-SECRET-KEY-1GK9NVW35F6U86VQYSMNMVMUPMHJKRGX2Y0NFSQ7S',
      'age1T3WWPEZKFESYSV4LC9QMAPZPWADGYAD6KQF9KC0YTQAZPTQULVK3GKQPSU'.toLowerCase(),
    ],
  },
  {
    id: 'crypto-wallet-private-key',
    title: 'Cryptocurrency (secp256k1) private key',
    description:
      "A 32-byte secp256k1 private key (64 hex, optionally `0x`-prefixed) assigned to a `private_key`/`wallet…key`/`eth…key`/`mnemonic`-style name. Controls the wallet's funds.",
    regex: assigned(
      anyOf(
        'private_key',
        'privatekey',
        'priv_key',
        'privkey',
        'wallet_key',
        'wallet_private',
        'eth_key',
        'eth_private',
        'deployer_key',
        'signer_key',
        'secret_key',
      ),
      '(?:0x)?[a-fA-F0-9]{64}',
      R,
    ),
    keywords: [
      'private',
      'priv',
      'wallet',
      'eth_',
      'deployer',
      'signer',
      'secret_key',
      'secretkey',
      'secret-key',
    ],
    entropy: 3.2,
    allow: { regexes: [NO_DIGIT, '^(?:0x)?0{64}$', '^(?:0x)?[fF]{64}$'] },
    severity: 'critical',
    references: ['https://ethereum.org/en/developers/docs/accounts/#account-creation'],
    truePositives: [
      'PRIVATE_KEY=0xc5ce5b7ac919119f5c02e8f4b6cf52f947e259fa3e9d7deb6d480a27fc883077',
      'wallet_private_key: "f95454a45465731859113cffd338ea08b573f1f8606fdcc1fbd8dcc7a39f772f"',
    ],
    falsePositives: [
      'PRIVATE_KEY=0x' + '0'.repeat(64),
      'TX_HASH=0x828606ee2a22f118d5af6bb105fd494e4885a8488745e42ebdc82ea5e2c69930',
      'PRIVATE_KEY=0xdd652d80106690b3b4663fec6e86f9246644c748',
    ],
  },
];

/** The header and payload decode to JSON objects, the header names an `alg`, and it is not the
 * example token every JWT tutorial shows (jwt.io: sub 1234567890, name John Doe). */
export function isRealJwt(token: string): boolean {
  const [h, p] = token.split('.');
  if (!h || !p) return false;
  const header = decodeJsonSegment(h);
  const payload = decodeJsonSegment(p);
  if (!header || !payload || typeof header.alg !== 'string') return false;
  return !(payload.sub === '1234567890' && payload.name === 'John Doe');
}

function decodeJsonSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment.replace(/=+$/, ''), 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
