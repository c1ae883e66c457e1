import { Command, Option } from 'commander';
import { RampartError } from '../../core/errors.js';

/** Flags as commander hands them over (strings where the user typed strings). */
export interface ScanFlags {
  scanners?: string;
  severity?: string;
  format?: string;
  output?: string;
  exitCode?: string;
  ignorefile?: string;
  baseline?: string;
  showSuppressed?: boolean;
  maxFileSize?: string;
  fileTimeout?: string;
  skipPaths?: string[];
  gitignore?: boolean;
  progress?: boolean;
  config?: string;
  debug?: boolean;
  staged?: boolean;
  history?: boolean;
  ref?: string[];
  diffBase?: string;
  dbDir?: string;
  vex?: string[];
  policyPath?: string[];
  policyBuiltin?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerScanCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('scan')
    .summary('scan a directory, a file, staged changes or the git history')
    .description(
      'Scan PATH (default: the current directory) with the selected scanners and report the findings.\n' +
        'Honours .gitignore and .rampartignore, skips binaries and files over --max-file-size, never follows symlinks.',
    )
    .argument('[path]', 'directory or file to scan (for git modes: a path inside the repository)', '.')
    .option('--scanners <list>', 'comma-separated scanners to run: secret (default), misconfig, deps, policy')
    .option('-s, --severity <list>', 'severities to report, e.g. HIGH,CRITICAL (default: all)')
    .addOption(
      new Option('-f, --format <format>', 'report format').choices(['table', 'json', 'sarif', 'junit']),
    )
    .option('-o, --output <file>', 'write the report to a file instead of stdout (written atomically)')
    .option('--exit-code <code>', 'exit code when findings remain (default 0)')
    .option(
      '--ignorefile <file>',
      'findings ignore file (default: .rampart-ignore.yaml in PATH when present)',
    )
    .option('--baseline <report>', 'report only findings absent from this earlier JSON or SARIF report')
    .option('--show-suppressed', 'also report suppressed findings, marked as such')
    .option('--max-file-size <size>', 'skip files larger than this, e.g. 10MB')
    .option('--file-timeout <duration>', 'per-file time budget, e.g. 10s')
    .option('--skip-paths <pattern>', 'gitignore-style pattern of paths to skip (repeatable)', collect)
    .option('--no-gitignore', 'do not honour .gitignore files (.rampartignore still applies)')
    .option('--no-progress', 'never draw the progress bar (it is only drawn on a terminal anyway)')
    .option('--config <file>', 'configuration file (default: rampart.yaml in the current directory)')
    .option('--staged', 'scan only the changes staged for commit (pre-commit mode)')
    .option(
      '--history',
      'scan every commit reachable from --ref (default: all refs); each secret once, where it first appeared',
    )
    .option('--ref <ref>', 'with --history: a ref or revision range to walk (repeatable)', collect)
    .option(
      '--diff-base <ref>',
      'scan every commit since the merge base with REF (what the branch adds); uncommitted changes are not included (use --staged). ' +
        'With deps: dependency review, only vulnerable or licence-denied components added or changed since REF',
    )
    .option('--db-dir <dir>', 'deps: advisory database folder (default: the user cache folder)')
    .option(
      '--vex <file>',
      'deps: OpenVEX document; not_affected/fixed statements suppress findings (repeatable)',
      collect,
    )
    .option('--debug', 'print debug logs and stack traces')
    .action(async (target: string, flags: ScanFlags) => {
      const { executeScan } = await import('../scan-action.js');
      setExitCode(await executeScan(target, flags));
    });
}

/** Shared validation used by the action: mutually exclusive modes. */
export function modeOf(flags: ScanFlags) {
  const modes = [
    flags.staged && '--staged',
    flags.history && '--history',
    flags.diffBase && '--diff-base',
  ].filter(Boolean);
  if (modes.length > 1) throw new RampartError('USAGE', `${modes.join(' and ')} cannot be combined`);
  if (flags.ref?.length && !flags.history) throw new RampartError('USAGE', '--ref needs --history');
  if (flags.staged) return { kind: 'staged' as const };
  if (flags.history) return { kind: 'history' as const, refs: flags.ref ?? [] };
  if (flags.diffBase) return { kind: 'diff' as const, base: flags.diffBase };
  return { kind: 'path' as const };
}
