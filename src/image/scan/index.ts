/**
 * `rampart image`: read an image (docker-archive or OCI layout), inventory its OS and language
 * packages, match them against the advisory database, scan every layer (and the config's ENV and
 * history) for secrets, and check the image config. I/O is the image file and the database; the rest
 * is the pure analyzers and matchers of src/image/analyze, src/deps and src/scanners/secret.
 */
import type { Finding, RuleDescriptor } from '../../core/finding.js';
import { RampartError } from '../../core/errors.js';
import type { Scanner } from '../../core/scanner.js';
import { binaryReason } from '../../walk/binary.js';
import { createSecretScanner } from '../../scanners/secret/index.js';
import { vulnerabilityFinding } from '../../scanners/deps/findings.js';
import { advisoryRule } from '../../scanners/deps/rules.js';
import { defaultDbDir, openDatabase, status as dbStatus } from '../../deps/db/index.js';
import { matchComponent } from '../../deps/osv/index.js';
import { buildInventory, decodeManifest, makeInventoryFilter } from '../../deps/inventory.js';
import type { Component } from '../../deps/model.js';
import { analyzeImage, type ImageComponent, type OsInfo } from '../analyze/index.js';
import { interestingContent, isImageError, readImage, type Image } from '../read/index.js';
import { checkImageConfig, configRules } from './config-checks.js';

export type ImageScannerKind = 'vuln' | 'secret' | 'config';

export interface ImageScanOptions {
  scanners: readonly ImageScannerKind[];
  /** OCI layout tag or docker-archive RepoTag to pick. */
  tag?: string;
  dbDir?: string;
  /** Display name of the image (default: its tag or digest), e.g. the registry reference it came from. */
  name?: string;
  /** Files up to this size are scanned for secrets (default 1 MiB). */
  secretMaxBytes?: number;
  warn(message: string): void;
}

export interface ImageScanResult {
  image: Image;
  name: string;
  os?: OsInfo;
  components: Component[];
  findings: Finding[];
  rules: RuleDescriptor[];
  filesScanned: number;
  bytesScanned: number;
}

/**
 * Files installed by package managers (OS packages, Python and npm packages) are third-party code:
 * their "secrets" are test vectors and examples (Trivy skips them too). Application files, config,
 * `/root`, `/home`, `/etc`, `/app`… are scanned.
 */
const PACKAGED =
  /^(?:usr\/(?:share|lib|lib64|libexec|include|src)\/|var\/lib\/(?:dpkg|apt|rpm|apk)\/|lib\/apk\/|opt\/[^/]+\/lib\/python[^/]*\/site-packages\/)|\/(?:site-packages|dist-packages|node_modules)\/|\.dist-info\/RECORD$/;

const OS_PACKAGERS = new Set(['dpkg', 'apk', 'rpm']);

/** OS packages are matched only with a release-qualified ecosystem (`Alpine:v3.19`, `Debian:12`). */
function releaseKnown(c: Partial<ImageComponent>, ecosystem: string): boolean {
  return !OS_PACKAGERS.has(c.packager ?? '') || ecosystem.includes(':');
}

interface SecretHit {
  layer: number;
  findings: Finding[];
}

export async function scanImage(path: string, opts: ImageScanOptions): Promise<ImageScanResult> {
  const want = (k: ImageScannerKind) => opts.scanners.includes(k);
  const secretMax = want('secret') ? (opts.secretMaxBytes ?? 1024 * 1024) : 0;
  const secretScanner: Scanner | undefined = want('secret') ? await createSecretScanner() : undefined;
  const hits: SecretHit[] = [];
  let filesScanned = 0;
  let bytesScanned = 0;
  const lockfile = makeInventoryFilter();
  const base = interestingContent({
    secretMaxBytes: secretMax,
    ...(secretScanner
      ? {
          onFile: (e, data) => {
            if (
              e.size === 0 ||
              PACKAGED.test(e.path.replace(/^\/+/, '')) ||
              binaryReason(data.subarray(0, 8192))
            )
              return;
            filesScanned++;
            bytesScanned += data.length;
            const found = secretScanner.scan(
              { path: e.path.replace(/^\/+/, ''), content: data },
              { warn: opts.warn, deadline: Date.now() + 10_000 },
            );
            if (found.length) hits.push({ layer: e.layer, findings: found });
          },
        }
      : {}),
  });
  let image: Image;
  try {
    image = await readImage(path, {
      ...base,
      // Lockfiles inside the image are read by the dependency scanner's parsers too.
      want: (e) => (base.want?.(e) ?? false) || (lockfile(e.path) && e.size <= 32 * 1024 * 1024),
      keep: (e, data) => (base.keep?.(e, data) ?? false) || lockfile(e.path),
      ...(opts.tag ? { tag: opts.tag } : {}),
    });
  } catch (err) {
    if (isImageError(err)) throw new RampartError('PATH_UNREADABLE', err.message);
    throw err;
  }
  for (const w of image.warnings) opts.warn(w);
  const name = opts.name ?? image.repoTags[0] ?? image.manifestDigest ?? image.configDigest;

  // Inventory: OS packages and installed language metadata, plus lockfiles found in the image.
  const paths: string[] = [];
  for (const [p, node] of image.fs.walk()) if (node.kind === 'file') paths.push(p);
  const read = (p: string) => image.fs.read(p);
  const inventory = await analyzeImage({ paths, read });
  for (const p of inventory.problems) opts.warn(`${p.path ?? ''}: ${p.message}`);
  const lockfiles = new Map<string, string>();
  for (const p of paths) {
    const rel = p.replace(/^\/+/, '');
    if (!lockfile(rel)) continue;
    const bytes = read(p);
    if (bytes) lockfiles.set(rel, decodeManifest(bytes));
  }
  const fromLockfiles = buildInventory(lockfiles).components;
  const components: Component[] = [...inventory.components, ...fromLockfiles];

  const findings: Finding[] = [];
  const rules = new Map<string, RuleDescriptor>();
  // Secrets: each one once, in the first layer that holds it, with that layer's diff_id.
  const seen = new Set<string>();
  for (const h of hits.sort((a, b) => a.layer - b.layer)) {
    const layer = image.layers[h.layer]?.diffId;
    for (const f of h.findings) {
      // The same file rewritten by a later layer repeats its secrets: keep the first layer's.
      const key = `${f.fingerprint}\0${f.location?.path ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(f.location && layer ? { ...f, location: { ...f.location, layer } } : f);
    }
  }
  if (secretScanner) {
    // The config's ENV and build history are part of the image too (ARG/ENV secrets end up there).
    const configText = [
      ...image.config.env,
      ...image.config.history.map((x) => x.createdBy ?? '').filter(Boolean),
    ].join('\n');
    for (const f of secretScanner.scan(
      { path: 'image-config', content: Buffer.from(configText) },
      { warn: opts.warn, deadline: Date.now() + 10_000 },
    )) {
      findings.push(f);
    }
    for (const r of secretScanner.rules()) rules.set(r.id, r);
  }

  if (want('config')) {
    findings.push(...checkImageConfig(image.config, name));
    for (const r of configRules) rules.set(r.id, r);
  }

  if (want('vuln')) {
    const dir = opts.dbDir ?? defaultDbDir();
    const db = openDatabase(dir);
    if (!db)
      throw new RampartError(
        'DB_MISSING',
        `no advisory database in ${dir}: create it with \`rampart db update\` (or point --db-dir at one)`,
      );
    const st = dbStatus(dir);
    if (st && st.ageDays > 7)
      opts.warn(`the advisory database is ${Math.floor(st.ageDays)} days old: run \`rampart db update\``);
    try {
      const unqualified = new Set<string>();
      // A lockfile entry that is also installed (node_modules, site-packages) is one package: its
      // vulnerabilities are reported once, on the installed copy.
      const keyOf = (c: Component) => `${c.ecosystem}\0${c.name}\0${c.version}`;
      const installed = new Set(inventory.components.map(keyOf));
      const toMatch = [...inventory.components, ...fromLockfiles.filter((c) => !installed.has(keyOf(c)))];
      for (const c of toMatch) {
        if (c.own) continue;
        const key = (c as Partial<ImageComponent>).advisory ?? c;
        // Distribution advisories are per release: without one, every release's records would apply.
        if (!releaseKnown(c as Partial<ImageComponent>, key.ecosystem)) {
          unqualified.add(key.ecosystem);
          continue;
        }
        for (const m of matchComponent(db, {
          ecosystem: key.ecosystem,
          name: key.name,
          version: key.version,
        })) {
          const f = vulnerabilityFinding(c, m, []);
          findings.push({
            ...f,
            scanner: 'image',
            properties: { ...f.properties, fixStatus: m.fixed ? 'fixed' : 'no-fix-yet' },
          });
          if (!rules.has(f.ruleId))
            rules.set(f.ruleId, { ...advisoryRule(f.ruleId, m, f.severity), scanner: 'image' });
        }
      }
      for (const eco of unqualified)
        opts.warn(
          `${eco} packages not matched: the image's release is unknown (no /etc/os-release VERSION_ID), and ${eco} advisories are per release`,
        );
    } finally {
      db.close();
    }
  }
  return {
    image,
    name,
    ...(inventory.os ? { os: inventory.os } : {}),
    components,
    findings,
    rules: [...rules.values()],
    filesScanned,
    bytesScanned,
  };
}
