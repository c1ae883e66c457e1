import { Command, Option } from 'commander';
import { HOOK_NAMES, type HookName } from '../../hook/script.js';

/** `rampart hook install|uninstall`: the git hook that blocks commits adding a secret. */
export function registerHookCommand(program: Command): void {
  const hook = program
    .command('hook')
    .summary('install or remove the git hook that blocks commits adding a secret')
    .description(
      'Manage the git hook that runs `rampart scan --staged --scanners secret --exit-code 1` before each ' +
        'commit. The hook is written to the hooks directory of the repository (core.hooksPath when set, else ' +
        '.git/hooks) and runs ./node_modules/.bin/rampart, else rampart on PATH, else npx --no-install rampart. ' +
        'With the pre-commit framework, use the hook id rampart-secrets (.pre-commit-hooks.yaml) instead.',
    );

  hook
    .command('install')
    .summary('write the hook (rerun to update it)')
    .description(
      'Write the hook into the repository of the current directory. A hook that Rampart did not write is ' +
        'left alone unless --force, which keeps it as <hook>.backup. Skip the hook once with ' +
        '`git commit --no-verify`.',
    )
    .option('--force', 'replace a hook that Rampart did not write (kept as <hook>.backup)')
    .addOption(new Option('--hook <name>', 'which git hook').choices([...HOOK_NAMES]).default('pre-commit'))
    .action(async (flags: { force?: boolean; hook: HookName }) => {
      const { installHook } = await import('../../hook/install.js');
      const r = await installHook({ cwd: process.cwd(), hook: flags.hook, force: flags.force === true });
      if (r.backup) process.stdout.write(`rampart: kept the previous hook as ${r.backup}\n`);
      process.stdout.write(`rampart: ${r.action} ${flags.hook} hook at ${r.path}\n`);
    });

  hook
    .command('uninstall')
    .summary('remove the hook if Rampart wrote it')
    .description(
      'Remove the hook if Rampart wrote it; a hook that Rampart did not write is left untouched. A ' +
        '<hook>.backup left by `install --force` is put back.',
    )
    .addOption(new Option('--hook <name>', 'which git hook').choices([...HOOK_NAMES]).default('pre-commit'))
    .action(async (flags: { hook: HookName }) => {
      const { uninstallHook } = await import('../../hook/install.js');
      const r = await uninstallHook({ cwd: process.cwd(), hook: flags.hook });
      if (r.action === 'absent') {
        process.stdout.write(`rampart: no ${flags.hook} hook at ${r.path}; nothing to do\n`);
      } else {
        const restored = r.restored ? ` and restored ${r.restored}` : '';
        process.stdout.write(`rampart: removed the ${flags.hook} hook at ${r.path}${restored}\n`);
      }
    });
}
