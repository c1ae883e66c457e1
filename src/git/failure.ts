/**
 * Turns git's stderr into one clear line for the user. Pure; git runs with LC_ALL=C so the texts
 * below are stable.
 */
export interface FailureContext {
  /** The directory git ran in, as the user named it. */
  where: string;
  /** What we were doing, for the fallback message: `git log`, `git diff --cached`. */
  action: string;
}

export function gitFailureMessage(stderr: string, ctx: FailureContext): string {
  if (/not a git repository/i.test(stderr)) return `not a git repository: ${ctx.where}`;
  const dubious = /detected dubious ownership in repository at '([^'\n]*)'/.exec(stderr);
  if (dubious) {
    return `git refuses the repository ${dubious[1]} (owned by another user): run git config --global --add safe.directory ${dubious[1]}`;
  }
  const ambiguous = /ambiguous argument '([^'\n]*)': unknown revision/.exec(stderr);
  if (ambiguous) return `unknown revision: ${ambiguous[1]}`;
  const bad = /bad revision '([^'\n]*)'/.exec(stderr) ?? /Not a valid object name ([^\n]*)/.exec(stderr);
  if (bad) return `unknown revision: ${bad[1]!.trim()}`;
  if (/must be run in a work tree/.test(stderr))
    return `${ctx.action} needs a working tree; ${ctx.where} is a bare repository`;
  const fatal = /^(?:fatal|error): (.*)$/m.exec(stderr);
  const detail = fatal?.[1] ?? lastLine(stderr) ?? 'no message';
  return `${ctx.action} failed in ${ctx.where}: ${detail}`;
}

function lastLine(text: string): string | undefined {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1];
}
