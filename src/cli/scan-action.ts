import { statSync } from 'node:fs';
import { writeAtomically } from './write-output.js';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { repoRootOf } from '../git/index.js';
import type { RampartConfig } from '../config/types.js';
import { renderReport } from '../report/index.js';
import { runScan } from '../scan/run.js';
import { createProgress } from '../scan/progress.js';
import { modeOf, type ScanFlags } from './commands/scan.js';
import { rampartVersion } from './version.js';

export async function executeScan(target: string, flags: ScanFlags): Promise<number> {
  const mode = modeOf(flags);
  const config: RampartConfig = loadConfig({
    cwd: process.cwd(),
    configPath: flags.config,
    env: process.env,
    flags: flagsToConfig(flags),
  });
  const debug = config.debug ? (m: string) => process.stderr.write(`[debug] ${m}\n`) : undefined;
  const root = path.resolve(target);
  const report = await runScan({
    root,
    mode,
    config,
    version: rampartVersion(),
    progress: createProgress(config.progress),
    debug,
  });
  const color = !config.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const srcRoot =
    mode.kind === 'path'
      ? statSync(root).isDirectory()
        ? root
        : path.dirname(root)
      : await repoRootOf(root);
  const text = renderReport(report, config.format, { color, srcRoot });
  if (config.output) writeAtomically(config.output, text);
  else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  if (config.output && config.format !== 'table') {
    process.stderr.write(
      `rampart: ${report.findings.filter((f) => !f.suppressed).length} finding(s) in ${report.stats.filesScanned} file(s); report written to ${config.output}\n`,
    );
  }
  const open = report.findings.filter((f) => !f.suppressed).length;
  return open > 0 ? config.exitCode : 0;
}

/** CLI flags → the partial configuration they override (strings parsed by the config loader). */
function flagsToConfig(flags: ScanFlags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (flags.scanners !== undefined) out.scanners = flags.scanners;
  if (flags.severity !== undefined) out.severity = flags.severity;
  if (flags.format !== undefined) out.format = flags.format;
  if (flags.output !== undefined) out.output = flags.output;
  if (flags.exitCode !== undefined) out['exit-code'] = flags.exitCode;
  if (flags.ignorefile !== undefined) out.ignorefile = flags.ignorefile;
  if (flags.baseline !== undefined) out.baseline = flags.baseline;
  if (flags.showSuppressed) out['show-suppressed'] = true;
  if (flags.maxFileSize !== undefined) out['max-file-size'] = flags.maxFileSize;
  if (flags.fileTimeout !== undefined) out['file-timeout'] = flags.fileTimeout;
  if (flags.skipPaths !== undefined) out['skip-paths'] = flags.skipPaths;
  if (flags.gitignore === false) out.gitignore = false;
  if (flags.progress === false) out.progress = 'never';
  if (flags.debug) out.debug = true;
  if (flags.dbDir !== undefined) out['deps.db-dir'] = flags.dbDir;
  if (flags.vex !== undefined) out['deps.vex'] = flags.vex;
  if (flags.policyPath !== undefined) out['policy.paths'] = flags.policyPath;
  if (flags.policyBuiltin !== undefined) out['policy.builtin'] = flags.policyBuiltin;
  return out;
}
