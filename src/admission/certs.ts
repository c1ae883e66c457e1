/**
 * Self-managed TLS for the webhook: a private CA and a server certificate for the Service DNS names
 * (plus localhost/127.0.0.1/::1). Keys come from node:crypto (RSA 2048); node-forge only builds and
 * signs the X.509 structures. `ensureCertificates` reuses what a folder already holds while it is
 * valid for the requested names for at least 30 more days, so the caBundle survives restarts.
 */
import {
  X509Certificate,
  createPrivateKey,
  generateKeyPair as generateKeyPairCb,
  randomBytes,
} from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPair = promisify(generateKeyPairCb);

export interface CertificateRequest {
  /** Service name, e.g. rampart-admission. */
  service: string;
  /** Service namespace, e.g. rampart-system. */
  namespace: string;
  /** More DNS names for the server certificate. */
  extraDnsNames?: string[];
  /** More IP addresses for the server certificate. */
  extraIps?: string[];
  /** Server certificate lifetime (default 365 days); the CA lives 10 years. */
  validityDays?: number;
}

export interface CertificateBundle {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

export const CERT_FILES = { caCert: 'ca.crt', caKey: 'ca.key', cert: 'tls.crt', key: 'tls.key' } as const;
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The DNS names the API server may use to reach `service.namespace`. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

export function sanList(req: CertificateRequest): { dns: string[]; ips: string[] } {
  for (const [what, v] of [
    ['service', req.service],
    ['namespace', req.namespace],
  ] as const) {
    if (!DNS_LABEL.test(v)) throw new Error(`${what} "${v}" is not a valid DNS label`);
  }
  const dns = [
    ...new Set([...serviceDnsNames(req.service, req.namespace), 'localhost', ...(req.extraDnsNames ?? [])]),
  ];
  const ips = [...new Set(['127.0.0.1', '::1', ...(req.extraIps ?? [])])];
  return { dns, ips };
}

/** A positive serial number of 16 random bytes (RFC 5280 allows up to 20 octets). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

async function rsaKeyPair(): Promise<{ publicKey: string; privateKey: string }> {
  return generateKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 5 * 60 * 1000);
  cert.validity.notAfter = new Date(now + days * 24 * 3600 * 1000);
}

/** Generates a fresh CA and a server certificate signed by it. */
export async function generateCertificates(req: CertificateRequest): Promise<CertificateBundle> {
  const { dns, ips } = sanList(req);
  const [caPair, serverPair] = await Promise.all([rsaKeyPair(), rsaKeyPair()]);
  const caKey = forge.pki.privateKeyFromPem(caPair.privateKey);

  const ca = forge.pki.createCertificate();
  ca.publicKey = forge.pki.publicKeyFromPem(caPair.publicKey);
  ca.serialNumber = serialNumber();
  validity(ca, 3650);
  const caName = [
    { name: 'commonName', value: `rampart-admission-ca (${req.service}.${req.namespace})` },
    { name: 'organizationName', value: 'Rampart' },
  ];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKey, forge.md.sha256.create());

  const server = forge.pki.createCertificate();
  server.publicKey = forge.pki.publicKeyFromPem(serverPair.publicKey);
  server.serialNumber = serialNumber();
  validity(server, req.validityDays ?? 365);
  server.setSubject([{ name: 'commonName', value: `${req.service}.${req.namespace}.svc` }]);
  server.setIssuer(caName);
  server.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...dns.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  server.sign(caKey, forge.md.sha256.create());

  return {
    caCert: forge.pki.certificateToPem(ca),
    caKey: caPair.privateKey,
    cert: forge.pki.certificateToPem(server),
    key: serverPair.privateKey,
  };
}

/**
 * Why `bundle` cannot serve `req` (undefined when it can): the CA signed the server certificate, the
 * key matches, every wanted name is a SAN, and the certificate is valid for 30 more days.
 */
export function bundleProblem(
  bundle: CertificateBundle,
  req: CertificateRequest,
  now = Date.now(),
): string | undefined {
  try {
    const ca = new X509Certificate(bundle.caCert);
    const server = new X509Certificate(bundle.cert);
    if (!server.checkIssued(ca) || !server.verify(ca.publicKey))
      return 'server certificate not signed by the CA';
    if (!server.checkPrivateKey(createPrivateKey(bundle.key))) return 'key does not match the certificate';
    const until = Math.min(Date.parse(server.validTo), Date.parse(ca.validTo));
    if (!(until - now > RENEW_BEFORE_MS)) return 'certificate expires within 30 days';
    if (Date.parse(server.validFrom) > now) return 'certificate not yet valid';
    const sans = new Set((server.subjectAltName ?? '').split(/,\s*/));
    const { dns, ips } = sanList(req);
    for (const d of dns) if (!sans.has(`DNS:${d}`)) return `SAN ${d} missing`;
    for (const ip of ips) {
      const shown = ip === '::1' ? '0:0:0:0:0:0:0:1' : ip;
      if (!sans.has(`IP Address:${ip}`) && !sans.has(`IP Address:${shown}`)) return `SAN ${ip} missing`;
    }
    return undefined;
  } catch (err) {
    return `unreadable certificate: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function readBundle(dir: string): Promise<CertificateBundle | undefined> {
  try {
    const [caCert, caKey, cert, key] = await Promise.all(
      [CERT_FILES.caCert, CERT_FILES.caKey, CERT_FILES.cert, CERT_FILES.key].map((f) =>
        readFile(path.join(dir, f), 'utf8'),
      ),
    );
    return { caCert: caCert!, caKey: caKey!, cert: cert!, key: key! };
  } catch {
    return undefined;
  }
}

async function writeAtomic(file: string, content: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode });
  await chmod(tmp, mode);
  await rename(tmp, file);
}

/**
 * Reuses the bundle in `dir` when it still fits `req`, else generates and writes a new one
 * (ca.crt, tls.crt 0644; ca.key, tls.key 0600).
 */
export async function ensureCertificates(
  dir: string,
  req: CertificateRequest,
): Promise<{ bundle: CertificateBundle; generated: boolean; reason?: string }> {
  const existing = await readBundle(dir);
  const problem = existing ? bundleProblem(existing, req) : 'no certificates yet';
  if (existing && problem === undefined) return { bundle: existing, generated: false };
  const bundle = await generateCertificates(req);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeAtomic(path.join(dir, CERT_FILES.caKey), bundle.caKey, 0o600);
  await writeAtomic(path.join(dir, CERT_FILES.key), bundle.key, 0o600);
  await writeAtomic(path.join(dir, CERT_FILES.caCert), bundle.caCert, 0o644);
  await writeAtomic(path.join(dir, CERT_FILES.cert), bundle.cert, 0o644);
  return { bundle, generated: true, ...(problem ? { reason: problem } : {}) };
}
