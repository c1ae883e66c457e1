import { Command, CommanderError } from 'commander';
import { EXIT_FAILURE, RampartError, errorMessage } from '../core/errors.js';
import { rampartVersion } from './version.js';
import { registerScanCommand } from './commands/scan.js';
import { registerHookCommand } from './commands/hook.js';
import { registerSbomCommand } from './commands/sbom.js';
import { registerDbCommand } from './commands/db.js';
import { registerPolicyCommand } from './commands/policy.js';
import { registerAdmissionCommand } from './commands/admission.js';
import { registerImageCommand } from './commands/image.js';
import { registerSignCommands } from './commands/sign.js';
import { registerRegistryCommand } from './commands/registry.js';
import { registerServerCommands } from './commands/server.js';
import { registerGateCommand } from './commands/gate.js';

/**
 * The CLI entry: builds the command tree, runs it, and is the one place that maps errors to exit
 * codes. Command modules load their heavy dependencies lazily inside their actions.
 */
export async function main(argv: string[]): Promise<number> {
  const debug =
    argv.includes('--debug') || process.env.RAMPART_DEBUG === '1' || process.env.RAMPART_DEBUG === 'true';
  let exitCode = 0;
  const program = new Command()
    .name('rampart')
    .description(
      'Rampart — DevSecOps security scanner and platform (secrets, dependencies, IaC, images, policy)',
    )
    .version(rampartVersion(), '-v, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      outputError: (str, write) => write(str.startsWith('error:') ? `rampart: ${str}` : str),
    });
  program.addHelpText(
    'after',
    `
Exit codes: 0 success (or findings with the default --exit-code 0), --exit-code N when findings remain,
${EXIT_FAILURE} when Rampart itself fails (bad flag, unreadable path, invalid config).

Examples:
  rampart scan .                                  scan the working tree for secrets
  rampart scan --format sarif -o rampart.sarif .  SARIF for GitHub code scanning
  rampart scan --staged --exit-code 1             pre-commit: block staged secrets
  rampart scan --history                          every commit of every ref
  rampart hook install                            install the git pre-commit hook`,
  );

  registerScanCommand(program, (code) => {
    exitCode = code;
  });
  registerHookCommand(program);
  registerSbomCommand(program);
  registerDbCommand(program);
  registerAdmissionCommand(program);
  registerImageCommand(program, (code) => {
    exitCode = code;
  });
  registerPolicyCommand(program, (code) => {
    exitCode = code;
  });
  registerSignCommands(program, (code) => {
    exitCode = code;
  });

  registerRegistryCommand(program, (code) => {
    exitCode = code;
  });
  registerServerCommands(program, (code) => {
    exitCode = code;
  });
  registerGateCommand(program, (code) => {
    exitCode = code;
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    return handleError(err, debug);
  }
}

function handleError(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // help and version are "errors" for commander's exitOverride; usage problems were printed.
    if (
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
    )
      return 0;
    return EXIT_FAILURE;
  }
  if (err instanceof RampartError) {
    process.stderr.write(`rampart: ${err.message}\n`);
  } else {
    process.stderr.write(
      `rampart: internal error: ${errorMessage(err)}${debug ? '' : ' (run with --debug for details)'}\n`,
    );
  }
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return EXIT_FAILURE;
}
