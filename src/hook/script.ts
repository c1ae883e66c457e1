/**
 * The git hook script that `rampart hook install` writes. Pure: the text and how to recognise it.
 */

/** Hooks we install; both see the commit-to-be in the index, so both scan `--staged`. */
export const HOOK_NAMES = ['pre-commit', 'pre-merge-commit'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export function isHookName(name: string): name is HookName {
  return (HOOK_NAMES as readonly string[]).includes(name);
}

/** The command the hook runs (also the `entry` of .pre-commit-hooks.yaml). */
export const HOOK_SCAN_ARGS = 'scan --staged --scanners secret --exit-code 1';

/** First marker line after the shebang: how we know a hook file is ours. */
const MARKER = '# rampart-hook:';

export function hookScript(hook: HookName): string {
  return `#!/bin/sh
${MARKER} ${hook} v1
# Written by \`rampart hook install\`: blocks a commit that adds a secret (Rampart scans the staged
# changes). Remove with \`rampart hook uninstall\`; skip it once with \`git commit --no-verify\`.
# Runs the project's own Rampart first, then one on PATH, then npx (never downloads).
if [ -x ./node_modules/.bin/rampart ]; then
  set -- ./node_modules/.bin/rampart
elif command -v rampart >/dev/null 2>&1; then
  set -- rampart
elif command -v npx >/dev/null 2>&1; then
  set -- npx --no-install rampart
else
  echo "rampart hook: rampart is not installed (npm install --save-dev rampart); commit blocked." >&2
  echo "rampart hook: skip the check once with git commit --no-verify, or run rampart hook uninstall." >&2
  exit 1
fi
exec "$@" ${HOOK_SCAN_ARGS}
`;
}

/** True when `content` is a hook that `rampart hook install` wrote (any version, any hook name). */
export function isRampartHook(content: string): boolean {
  const lines = content.split('\n', 3);
  return lines[0]?.startsWith('#!') === true && lines[1]?.startsWith(MARKER) === true;
}
