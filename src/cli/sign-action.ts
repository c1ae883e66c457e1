/**
 * `rampart generate-key-pair | sign | attest | verify` over a registry: the registry client
 * (src/image/registry) moves the bytes, src/image/sign builds and checks the cosign artifacts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RampartError } from '../core/errors.js';
import type { Severity } from '../core/severity.js';
import { status as dbStatus } from '../deps/db/index.js';
import { scanImage } from '../image/scan/index.js';
import {
  CYCLONEDX_PREDICATE,
  PREDICATE_TYPE_ANNOTATION,
  SCAN_PREDICATE,
  SIGNING_KEY_ENV,
  SIGNING_PASSWORD_ENV,
  SigningKeyError,
  appendSignatureLayer,
  attestationLayer,
  attestationManifest,
  cosignTag,
  envKeyProvider,
  fileKeyProvider,
  generateKeyPair,
  parseManifest,
  scanPredicate,
  signatureManifest,
  statement,
  verifyImage,
  verifySignatureManifest,
  type Blob,
  type FetchedArtifact,
  type KeyProvider,
  type VerifyResult,
} from '../image/sign/index.js';
import {
  RegistryClient,
  fetchArtifact,
  formatReference,
  isRegistryError,
  manifestReference,
  parseReference,
  pullImage,
  pushArtifact,
  writeOciLayout,
  type ImageReference,
  type RegistryClientOptions,
} from '../image/registry/index.js';
import { toCycloneDx } from '../sbom/cyclonedx.js';
import type { AttestFlags, KeyPairFlags, SignFlags, VerifyFlags } from './commands/sign.js';
import { rampartVersion } from './version.js';

const MAX_PUBLIC_KEY_BYTES = 64 * 1024;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Registry failures and key problems become one-line errors (exit 2). */
async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isRegistryError(err)) throw new RampartError('PATH_UNREADABLE', `${what}: ${err.message}`);
    if (err instanceof SigningKeyError) throw new RampartError('USAGE', err.message);
    throw err;
  }
}

function passphrase(passwordEnv: string | undefined, required: boolean): string | undefined {
  const name = passwordEnv ?? SIGNING_PASSWORD_ENV;
  if (!ENV_NAME.test(name))
    throw new RampartError('USAGE', `--password-env: "${name}" is not a variable name`);
  const value = process.env[name];
  if (required && !value) {
    throw new RampartError(
      'USAGE',
      passwordEnv === undefined
        ? `set ${SIGNING_PASSWORD_ENV} (or name another variable with --password-env) to the key passphrase`
        : `${name} is not set: it must hold the key passphrase`,
    );
  }
  return value || undefined;
}

async function signingKey(flags: SignFlags): Promise<KeyProvider> {
  const pass = passphrase(flags.passwordEnv, false);
  return guarded('signing key', async () => {
    if (flags.key) return fileKeyProvider(path.resolve(flags.key), pass);
    if (!process.env[SIGNING_KEY_ENV])
      throw new RampartError('USAGE', `give --key FILE or set ${SIGNING_KEY_ENV} to a PEM private key`);
    return envKeyProvider(
      pass === undefined ? process.env : { ...process.env, [SIGNING_PASSWORD_ENV]: pass },
    );
  });
}

function reference(image: string): ImageReference {
  try {
    return parseReference(image);
  } catch (err) {
    throw new RampartError('USAGE', `${image}: ${(err as Error).message}`);
  }
}

function clientOptions(flags: { insecure?: boolean }): RegistryClientOptions {
  return flags.insecure ? { insecure: true } : {};
}

/** The manifest digest a reference names now (HEAD; GET when the registry omits the digest header). */
async function resolveDigest(client: RegistryClient, ref: ImageReference): Promise<string> {
  const name = formatReference(ref);
  const head = await client.headManifest(ref.repository, manifestReference(ref));
  if (!head) throw new RampartError('PATH_UNREADABLE', `${name}: no such image in the registry`);
  if (ref.digest !== undefined) return ref.digest;
  if (head.digest) return head.digest;
  return (await client.getManifest(ref.repository, manifestReference(ref))).digest;
}

/** cosign's docker-reference: the repository without tag or digest. */
function repositoryName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The layers of an existing artifact, with their verified bytes (layers whose blob is unusable are dropped). */
function existingLayers(artifact: FetchedArtifact | undefined): Blob[] {
  if (!artifact) return [];
  const parsed = parseManifest(artifact.manifest);
  if (!parsed.ok) return [];
  const out: Blob[] = [];
  for (const d of parsed.manifest.layers) {
    const bytes = artifact.blobs.get(d.digest);
    if (bytes && d.size === bytes.byteLength) out.push({ descriptor: d, bytes });
  }
  return out;
}

export async function executeGenerateKeyPair(flags: KeyPairFlags): Promise<number> {
  const pass = passphrase(flags.passwordEnv, true) ?? '';
  const keyFile = `${flags.outputPrefix}.key`;
  const pubFile = `${flags.outputPrefix}.pub`;
  const pair = generateKeyPair(pass);
  const write = async (file: string, text: string, mode: number): Promise<void> => {
    try {
      await writeFile(file, text, { flag: 'wx', mode });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new RampartError(
        'OUTPUT_FAILED',
        code === 'EEXIST'
          ? `${file} already exists: not overwritten`
          : `cannot write ${file}: ${code ?? 'error'}`,
      );
    }
  };
  await write(keyFile, pair.privateKeyPem, 0o600);
  try {
    await write(pubFile, pair.publicKeyPem, 0o644);
  } catch (err) {
    rmSync(keyFile, { force: true });
    throw err;
  }
  process.stdout.write(`Private key written to ${keyFile}\nPublic key written to ${pubFile}\n`);
  return 0;
}

export async function executeSign(image: string, flags: SignFlags): Promise<number> {
  const ref = reference(image);
  const key = await signingKey(flags);
  const opts = clientOptions(flags);
  return guarded(image, async () => {
    const client = await RegistryClient.create(ref.registry, opts);
    const digest = await resolveDigest(client, ref);
    const tag = cosignTag(digest, 'sig');
    const existing = await fetchArtifact(ref, tag, { ...opts, client });
    const publicKeyPem = await key.publicKeyPem();
    if (existing && verifySignatureManifest(digest, existing, publicKeyPem).ok) {
      process.stdout.write(`${digest} is already signed with this key (${repositoryName(ref)}:${tag})\n`);
      return 0;
    }
    const signed = await signatureManifest(digest, repositoryName(ref), key);
    const layer = signed.layers[0];
    const artifact = existing && layer ? appendSignatureLayer(tag, existingLayers(existing), layer) : signed;
    await pushArtifact(ref, artifact, { ...opts, client });
    process.stdout.write(
      `Signed ${digest}\nPushed ${repositoryName(ref)}:${tag} (${artifact.layers.length} signature(s))\n`,
    );
    return 0;
  });
}

export async function executeAttest(image: string, flags: AttestFlags): Promise<number> {
  const ref = reference(image);
  const key = await signingKey(flags);
  const opts = clientOptions(flags);
  const dir = mkdtempSync(path.join(tmpdir(), 'rampart-attest-'));
  try {
    const client = await guarded(image, () => RegistryClient.create(ref.registry, opts));
    // Pull by the resolved digest, so what is scanned is exactly what is attested.
    const digest = await guarded(image, () => resolveDigest(client, ref));
    const pinned: ImageReference = { ...ref, digest };
    await guarded(image, async () =>
      writeOciLayout(await pullImage(pinned, { ...opts, client }), dir, 'pulled'),
    );
    const warnings: string[] = [];
    const dbDir = flags.dbDir ? path.resolve(flags.dbDir) : undefined;
    const scanned = await scanImage(dir, {
      scanners: flags.type === 'scan' ? ['vuln', 'secret', 'config'] : [],
      tag: 'pulled',
      name: formatReference(ref),
      ...(dbDir ? { dbDir } : {}),
      warn: (m) => warnings.push(m),
    });
    for (const w of warnings.slice(0, 20)) process.stderr.write(`rampart: warning: ${w}\n`);
    let predicateType: string;
    let predicate: unknown;
    if (flags.type === 'sbom') {
      predicateType = CYCLONEDX_PREDICATE;
      predicate = toCycloneDx({
        target: formatReference(ref),
        toolVersion: rampartVersion(),
        components: scanned.components,
      });
    } else {
      predicateType = SCAN_PREDICATE;
      const counts: Partial<Record<Severity, number>> = {};
      for (const f of scanned.findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
      const db = dbStatus(...(dbDir ? [dbDir] : []));
      const version = rampartVersion();
      predicate = scanPredicate({
        scannerVersion: version,
        scanners: { vuln: version, secret: version, config: version },
        ...(db ? { databaseUpdatedAt: db.updatedAt, databaseSource: db.source } : {}),
        counts,
      });
    }
    const layer = await attestationLayer(
      statement(digest, repositoryName(ref), predicateType, predicate),
      key,
    );
    const tag = cosignTag(digest, 'att');
    return await guarded(image, async () => {
      const existing = existingLayers(await fetchArtifact(ref, tag, { ...opts, client })).filter(
        (l) => !flags.replace || l.descriptor.annotations?.[PREDICATE_TYPE_ANNOTATION] !== predicateType,
      );
      const artifact = attestationManifest(digest, [...existing, layer]);
      await pushArtifact(ref, artifact, { ...opts, client });
      process.stdout.write(
        `Attested ${digest} (${predicateType}, ${scanned.components.length} package(s)` +
          `${flags.type === 'scan' ? `, ${scanned.findings.length} finding(s)` : ''})\n` +
          `Pushed ${repositoryName(ref)}:${tag} (${artifact.layers.length} attestation(s))\n`,
      );
      return 0;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PREDICATES: Record<string, string> = { sbom: CYCLONEDX_PREDICATE, scan: SCAN_PREDICATE };

export async function executeVerify(image: string, flags: VerifyFlags): Promise<number> {
  const ref = reference(image);
  let maxScanAgeDays: number | undefined;
  if (flags.maxScanAgeDays !== undefined) {
    maxScanAgeDays = Number(flags.maxScanAgeDays);
    if (!/^\d+(\.\d+)?$/.test(flags.maxScanAgeDays.trim()) || !Number.isFinite(maxScanAgeDays))
      throw new RampartError(
        'USAGE',
        `--max-scan-age-days: "${flags.maxScanAgeDays}" is not a number of days`,
      );
  }
  let publicKeyPem: string;
  try {
    const buf = await readFile(path.resolve(flags.key));
    if (buf.byteLength > MAX_PUBLIC_KEY_BYTES)
      throw new RampartError('USAGE', `${flags.key}: too large for a public key`);
    publicKeyPem = buf.toString('utf8');
  } catch (err) {
    if (err instanceof RampartError) throw err;
    throw new RampartError(
      'PATH_UNREADABLE',
      `cannot read ${flags.key}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  const opts = clientOptions(flags);
  const { digest, signatures, attestations } = await guarded(image, async () => {
    const client = await RegistryClient.create(ref.registry, opts);
    const digest = await resolveDigest(client, ref);
    const signatures = await fetchArtifact(ref, cosignTag(digest, 'sig'), { ...opts, client });
    const attestations = await fetchArtifact(ref, cosignTag(digest, 'att'), { ...opts, client });
    return { digest, signatures, attestations };
  });
  const required = [...new Set(flags.requireAttestation ?? [])].map((t) => PREDICATES[t] ?? t);
  const result = verifyImage({
    imageDigest: digest,
    publicKeyPem,
    ...(signatures ? { signatures } : {}),
    ...(attestations ? { attestations } : {}),
    policy: {
      ...(required.length ? { requiredPredicateTypes: required } : {}),
      ...(maxScanAgeDays !== undefined ? { maxScanAgeDays } : {}),
      ...(flags.critical === false ? { noCritical: true } : {}),
    },
  });
  if (result.reasons.some((r) => r.code === 'bad-public-key'))
    throw new RampartError('USAGE', `${flags.key}: not a readable PEM public key`);
  process.stdout.write(
    flags.format === 'json'
      ? `${JSON.stringify(verdictJson(image, result), null, 2)}\n`
      : verdictText(image, result),
  );
  return result.ok ? 0 : 1;
}

function verdictJson(image: string, r: VerifyResult): object {
  return {
    image,
    digest: r.imageDigest,
    verified: r.ok,
    reasons: r.reasons,
    notes: r.notes,
    signature: r.signature ? { ok: r.signature.ok, message: r.signature.message } : null,
    attestations: r.attestations.map((a) => ({
      ok: a.ok,
      predicateType: a.predicateType ?? null,
      message: a.message,
    })),
    scan: r.scan ?? null,
  };
}

function verdictText(image: string, r: VerifyResult): string {
  const lines = [`${image} (${r.imageDigest}): ${r.ok ? 'VERIFIED' : 'NOT VERIFIED'}`];
  if (r.signature?.ok) lines.push(`  signature: ${r.signature.message}`);
  for (const a of r.attestations) if (a.ok) lines.push(`  attestation: ${a.message}`);
  if (r.scan) {
    const s = r.scan.summary;
    lines.push(
      `  scan: ${r.scan.scannedAt}, ${s.critical} critical, ${s.high} high, ${s.medium} medium, ${s.low} low` +
        (r.scan.database?.updatedAt ? `, database of ${r.scan.database.updatedAt}` : ''),
    );
  }
  for (const reason of r.reasons) lines.push(`  reason: ${reason.code}: ${reason.message}`);
  for (const note of r.notes.slice(0, 20)) lines.push(`  note: ${note}`);
  return `${lines.join('\n')}\n`;
}
