import { readFileSync } from 'node:fs';
import type { Finding, RuleDescriptor } from '../../core/finding.js';
import { RampartError } from '../../core/errors.js';
import type { Scanner, ScannerFactoryOptions, ScanContext, ScanTarget } from '../../core/scanner.js';
import { buildInventory, decodeManifest, makeInventoryFilter } from '../../deps/inventory.js';
import type { Component } from '../../deps/model.js';
import { judgeLicenses, type LicensePolicy } from '../../deps/license-policy.js';
import { unsupportedLockfile } from '../../deps/unsupported.js';
import { parseOpenVex, VexError, type VexStatement } from '../../deps/vex.js';
import {
  defaultDbDir,
  openDatabase,
  status as databaseStatus,
  type AdvisoryDatabase,
} from '../../deps/db/index.js';
import { matchComponent } from '../../deps/osv/index.js';
import { licenseFinding, vulnerabilityFinding } from './findings.js';
import { advisoryRule, licenseRules } from './rules.js';

export const DEPS_SCANNER_VERSION = '1';

/** The `deps` section of the resolved configuration (plus run-time inputs from the pipeline). */
export interface DepsScannerConfig {
  dbDir?: string;
  /** Warn when the advisory database is older than this many days. */
  dbMaxAgeDays?: number;
  licenseAllow?: string[];
  licenseDeny?: string[];
  /** OpenVEX documents (paths). */
  vex?: string[];
  /** Report dev/test-scoped components too (default true). */
  includeDev?: boolean;
  /** Dependency review: lockfile texts at the base revision; only components new since then are reported. */
  baseFiles?: ReadonlyMap<string, string>;
}

const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export async function createDepsScanner(options: ScannerFactoryOptions = { config: {} }): Promise<Scanner> {
  const cfg = options.config as DepsScannerConfig;
  const vex: VexStatement[] = [];
  for (const file of strings(cfg.vex)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new RampartError(
        'PATH_UNREADABLE',
        `cannot read VEX document ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    try {
      vex.push(...parseOpenVex(text, file));
    } catch (err) {
      if (err instanceof VexError) throw new RampartError('CONFIG_INVALID', err.message);
      throw err;
    }
  }
  const dbDir = cfg.dbDir ?? defaultDbDir();
  return new DepsScanner({ ...cfg, dbDir }, vex);
}

/** Key of a component for dependency review: same package at the same version = not new. */
const reviewKey = (c: Component) => `${c.ecosystem}\0${c.name}\0${c.version}`;

class DepsScanner implements Scanner {
  readonly kind = 'deps' as const;
  readonly version = DEPS_SCANNER_VERSION;
  private readonly wanted = makeInventoryFilter();
  /** Lockfiles, manifests and companions seen so far (path → text); merged from workers. */
  private files = new Map<string, string>();
  private unsupported: { path: string; format: string }[] = [];
  private readonly rulesById = new Map<string, RuleDescriptor>(licenseRules.map((r) => [r.id, r]));
  private readonly policy: LicensePolicy;

  constructor(
    private readonly cfg: DepsScannerConfig,
    private readonly vex: readonly VexStatement[],
  ) {
    this.policy = { allow: strings(cfg.licenseAllow), deny: strings(cfg.licenseDeny) };
  }

  required(path: string): boolean {
    return this.wanted(path) || unsupportedLockfile(path) !== undefined;
  }

  scan(target: ScanTarget): Finding[] {
    const format = unsupportedLockfile(target.path);
    if (format) this.unsupported.push({ path: target.path, format });
    else this.files.set(target.path, decodeManifest(target.content));
    return [];
  }

  drainState(): unknown {
    const state = { files: [...this.files], unsupported: this.unsupported };
    this.files = new Map();
    this.unsupported = [];
    return state;
  }

  absorbState(state: unknown): void {
    const s = state as { files: [string, string][]; unsupported: { path: string; format: string }[] };
    for (const [p, t] of s.files) this.files.set(p, t);
    this.unsupported.push(...s.unsupported);
  }

  finalize(ctx: ScanContext): Finding[] {
    for (const u of this.unsupported)
      ctx.skip?.({ path: u.path, reason: 'unsupported', detail: `${u.format} is not supported yet` });
    const inventory = buildInventory(this.files);
    for (const p of inventory.problems) ctx.warn(`${p.path}${p.line ? `:${p.line}` : ''}: ${p.message}`);
    for (const u of inventory.unresolved)
      ctx.warn(`${u.path}${u.line ? `:${u.line}` : ''}: ${u.name} not resolved: ${u.reason}`);

    // The project's own packages (workspace members, the pom's artifact) are not third-party code.
    let components = inventory.components.filter((c) => !c.own);
    if (this.cfg.includeDev === false)
      components = components.filter((c) => c.scope !== 'dev' && c.scope !== 'test');
    if (this.cfg.baseFiles) {
      const before = new Set(buildInventory(this.cfg.baseFiles).components.map(reviewKey));
      components = components.filter((c) => !before.has(reviewKey(c)));
    }

    const findings: Finding[] = [];
    if (components.length) {
      const db = this.database(ctx);
      try {
        this.match(components, db, findings);
      } finally {
        db.close();
      }
    }
    return findings;
  }

  private match(components: readonly Component[], db: AdvisoryDatabase, findings: Finding[]): void {
    for (const c of components) {
      for (const match of matchComponent(db, c)) {
        const f = vulnerabilityFinding(c, match, this.vex);
        findings.push(f);
        if (!this.rulesById.has(f.ruleId))
          this.rulesById.set(f.ruleId, advisoryRule(f.ruleId, match, f.severity));
      }
      const verdict = judgeLicenses(c.licenses, this.policy);
      if (verdict.kind !== 'ok') findings.push(licenseFinding(c, verdict));
    }
  }

  private database(ctx: ScanContext): AdvisoryDatabase {
    const dir = this.cfg.dbDir ?? defaultDbDir();
    // Checked only when there is something to match, like osv-scanner: a repository without
    // lockfiles needs no database.
    const db = openDatabase(dir);
    if (!db)
      throw new RampartError(
        'DB_MISSING',
        `no advisory database in ${dir}: create it with \`rampart db update\` (or point --db-dir at one)`,
      );
    const status = databaseStatus(dir);
    const maxAge = this.cfg.dbMaxAgeDays ?? 7;
    if (status && status.ageDays > maxAge)
      ctx.warn(
        `the advisory database is ${Math.floor(status.ageDays)} days old (over ${maxAge}): run \`rampart db update\``,
      );
    return db;
  }

  rules(): RuleDescriptor[] {
    return [...this.rulesById.values()];
  }
}
