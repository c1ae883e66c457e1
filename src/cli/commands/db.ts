import { Command } from 'commander';

export interface DbUpdateFlags {
  source?: string;
  ecosystems?: string;
  alpineSecdb?: string;
  dbDir?: string;
  progress?: boolean;
}

/** `rampart db update|status`: the local OSV advisory database used by the dependency scanner. */
export function registerDbCommand(program: Command): void {
  const db = program
    .command('db')
    .summary('create, update and inspect the local advisory database')
    .description(
      'The dependency scanner matches components against a local index of OSV advisories (GitHub, PyPA, Go, ' +
        'RustSec, OpenSSF malicious packages…), built from archives laid out like the public OSV bucket ' +
        '(<Ecosystem>/all.zip). Updates are atomic: an interrupted update leaves the previous database in use.',
    );

  db.command('update')
    .summary('download the advisories and rebuild the index')
    .description(
      'Download <source>/<Ecosystem>/all.zip for each ecosystem and build a new index generation; it replaces the ' +
        'previous one only once complete. A source may be an http(s) base URL or a local folder with the same layout. ' +
        "--alpine-secdb adds Alpine's own security database (secdb JSON, <branch>/{main,community}.json as served by " +
        'https://secdb.alpinelinux.org) to the Alpine advisories of the same generation; given without --source or ' +
        '--ecosystems, the generation holds only the secdb records.',
    )
    .option(
      '--source <url-or-dir>',
      'OSV bucket base URL or local folder (default: https://osv-vulnerabilities.storage.googleapis.com, env RAMPART_DB_SOURCE)',
    )
    .option('--ecosystems <list>', 'comma-separated OSV ecosystems to import (default: all supported)')
    .option(
      '--alpine-secdb <url-or-dir>',
      'Alpine secdb base URL (https://secdb.alpinelinux.org) or folder laid out <branch>/{main,community}.json',
    )
    .option('--db-dir <dir>', 'database folder (default: the user cache folder, env RAMPART_DEPS_DB_DIR)')
    .option('--no-progress', 'do not draw the progress bar')
    .action(async (flags: DbUpdateFlags) => {
      const { executeDbUpdate } = await import('../db-action.js');
      await executeDbUpdate(flags);
    });

  db.command('status')
    .summary('print the database source, freshness and record counts')
    .option('--db-dir <dir>', 'database folder (default: the user cache folder, env RAMPART_DEPS_DB_DIR)')
    .option('--json', 'print the status as JSON')
    .action(async (flags: { dbDir?: string; json?: boolean }) => {
      const { executeDbStatus } = await import('../db-action.js');
      executeDbStatus(flags);
    });
}
