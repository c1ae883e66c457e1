import path from 'node:path';
import { RampartError } from '../core/errors.js';
import { parseList } from '../config/values.js';
import {
  AdvisoryDbError,
  DEFAULT_SOURCE,
  SUPPORTED_ECOSYSTEMS,
  defaultDbDir,
  status,
  summariseUpdate,
  updateDatabase,
  type UpdateProgress,
} from '../deps/db/index.js';
import type { DbUpdateFlags } from './commands/db.js';

function dbDirOf(flag: string | undefined): string {
  const dir = flag ?? process.env.RAMPART_DEPS_DB_DIR?.trim();
  return dir ? path.resolve(dir) : defaultDbDir();
}

/** A one-line progress display on a terminal (never in CI logs): phase, ecosystem, bytes/records. */
function progressLine(enabled: boolean): { on(p: UpdateProgress): void; done(): void } {
  const draw = enabled && process.stderr.isTTY === true && !process.env.CI;
  let last = 0;
  return {
    on(p) {
      if (p.phase === 'warning') {
        // Ecosystems the source does not publish are summarised in one line at the end.
        if (/\(not found\)/.test(p.message ?? '')) return;
        if (draw) process.stderr.write('\r\x1b[K');
        process.stderr.write(`rampart: warning: ${p.message ?? ''}\n`);
        return;
      }
      if (!draw) return;
      const now = Date.now();
      if (now - last < 100 && p.phase !== 'done') return;
      last = now;
      const detail =
        p.phase === 'download' && p.ecosystem === 'Alpine secdb'
          ? `${p.received ?? 0}/${p.total ?? 0} files`
          : p.phase === 'download'
            ? `${((p.received ?? 0) / 1e6).toFixed(1)}${p.total ? `/${(p.total / 1e6).toFixed(1)}` : ''} MB`
            : p.phase === 'import'
              ? `${p.records ?? 0} records`
              : (p.message ?? '');
      process.stderr.write(`\r${p.phase} ${p.ecosystem ?? ''} ${detail}\x1b[K`);
    },
    done() {
      if (draw) process.stderr.write('\r\x1b[K');
    },
  };
}

export async function executeDbUpdate(flags: DbUpdateFlags): Promise<void> {
  const dir = dbDirOf(flags.dbDir);
  const envSource = process.env.RAMPART_DB_SOURCE?.trim() || undefined;
  const rawSource = flags.source ?? envSource ?? DEFAULT_SOURCE;
  const resolve = (s: string) => (/^https?:\/\//i.test(s) ? s : path.resolve(s));
  const source = resolve(rawSource);
  const alpineSecdb = flags.alpineSecdb ? resolve(flags.alpineSecdb) : undefined;
  // `--alpine-secdb` alone imports only the secdb; with --source or --ecosystems, both.
  const secdbOnly = alpineSecdb && !flags.source && !envSource && !flags.ecosystems;
  const ecosystems = secdbOnly ? [] : flags.ecosystems ? parseList(flags.ecosystems) : undefined;
  const progress = progressLine(flags.progress !== false);
  try {
    const result = await updateDatabase({
      source,
      dir,
      ...(ecosystems ? { ecosystems } : {}),
      ...(alpineSecdb ? { alpineSecdb } : {}),
      onProgress: (p) => progress.on(p),
    });
    progress.done();
    if (result.meta.missing.length)
      process.stderr.write(
        `rampart: not published at the source (skipped): ${result.meta.missing.join(', ')}\n`,
      );
    process.stderr.write(`rampart: ${summariseUpdate(result)}\n`);
    process.stderr.write(`rampart: database ${result.generation} is live in ${dir}\n`);
  } catch (err) {
    progress.done();
    if (err instanceof AdvisoryDbError)
      throw new RampartError(
        err.code === 'DB_USAGE' ? 'USAGE' : 'DB_UPDATE_FAILED',
        `db update: ${err.message}`,
      );
    throw err;
  }
}

export function executeDbStatus(flags: { dbDir?: string; json?: boolean }): void {
  const dir = dbDirOf(flags.dbDir);
  const s = status(dir);
  if (!s)
    throw new RampartError(
      'DB_MISSING',
      `no advisory database in ${dir}: create it with \`rampart db update\``,
    );
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    return;
  }
  const lines = [
    `database:   ${dir} (${s.generation}, schema ${s.schemaVersion})`,
    `source:     ${s.source}`,
    `updated:    ${s.updatedAt} (${s.ageDays < 1 ? `${Math.round(s.ageDays * 24)} h` : `${Math.floor(s.ageDays)} days`} ago)`,
    `records:    ${s.totalRecords} in ${Object.keys(s.ecosystems).length} ecosystems, ${(s.sizeBytes / 1e6).toFixed(1)} MB on disk`,
  ];
  for (const [eco, m] of Object.entries(s.ecosystems).sort(([a], [b]) => a.localeCompare(b)))
    lines.push(
      `  ${eco.padEnd(12)} ${String(m.records).padStart(7)} records, ${String(m.packages).padStart(6)} packages${m.newestModified ? `, newest ${m.newestModified.slice(0, 10)}` : ''}`,
    );
  if (s.missing.length) lines.push(`not at the source: ${s.missing.join(', ')}`);
  const supported = new Set<string>(SUPPORTED_ECOSYSTEMS);
  const absent = [...supported].filter((e) => !(e in s.ecosystems) && !s.missing.includes(e));
  if (absent.length) lines.push(`not imported: ${absent.join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
