/**
 * Just enough shell to tell whether a value written into a `run:` line ends up in the job log, a
 * step output or the step summary: `echo`/`printf`/`Write-Host` not piped into another command and
 * not redirected to a file, and `cat <<EOF` heredocs. Line-based and approximate by design.
 */

export interface Span {
  start: number;
  end: number;
}

/**
 * Splits `line` at top-level separators (outside quotes and `${{ … }}`): `;`, `&&`, `||` for
 * commands (`pipes` false), or single `|` for pipeline stages (`pipes` true).
 */
export function splitTop(line: string, pipes: boolean): Span[] {
  const out: Span[] = [];
  let start = 0;
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (line.startsWith('${{', i)) {
      const end = line.indexOf('}}', i + 3);
      if (end < 0) break;
      i = end + 1;
      continue;
    }
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    const two = line.slice(i, i + 2);
    if (!pipes && (two === '&&' || two === '||')) {
      out.push({ start, end: i });
      start = i + 2;
      i++;
    } else if (!pipes && c === ';') {
      out.push({ start, end: i });
      start = i + 1;
    } else if (pipes && two === '||') {
      i++;
    } else if (pipes && c === '|') {
      out.push({ start, end: i });
      start = i + 1;
    }
  }
  out.push({ start, end: line.length });
  return out;
}

/** Longer lines are not analysed (generated or hostile text; keeps the regexes linear in practice). */
export const MAX_SHELL_LINE = 8192;

const PRINTERS = new Set(['echo', 'printf', 'print', 'write-host', 'write-output', 'write-information']);
/** Step outputs and the step summary keep what is written to them (beyond the run's log). */
const KEEPING_FILE = /GITHUB_(?:OUTPUT|STEP_SUMMARY)/;

/** First word of a command, skipping `VAR=value` prefixes. Lower case. */
export function commandWord(cmd: string): string {
  const words = cmd.trim().split(/\s+/);
  const w = words.find((x) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(x)) ?? '';
  return w.replace(/^["']|["']$/g, '').toLowerCase();
}

/** Target of the last stdout redirect (`>`/`>>`, not `2>`, not `>&2`) of a command, if any. */
function stdoutRedirect(cmd: string): string | undefined {
  let target: string | undefined;
  for (const m of cmd.matchAll(/(^|[^0-9>&])(?:1)?>>?\s*(&?)\s*("[^"]*"|'[^']*'|\S+)/g)) {
    if (m[2] === '&') continue;
    target = m[3];
  }
  return target;
}

/** Does the value written at `pos` of this shell line reach the log, a step output or the summary? */
export function printsAt(line: string, pos: number): boolean {
  if (line.length > MAX_SHELL_LINE || line.includes('::add-mask::')) return false;
  const cmd = splitTop(line, false).find((s) => pos >= s.start && pos <= s.end);
  if (!cmd) return false;
  const text = line.slice(cmd.start, cmd.end);
  const stages = splitTop(text, true);
  const k = stages.findIndex((s) => pos - cmd.start >= s.start && pos - cmd.start <= s.end);
  if (k < 0) return false;
  const stage = text.slice(stages[k]!.start, stages[k]!.end);
  if (!PRINTERS.has(commandWord(stage))) return false;
  const last = stages[stages.length - 1]!;
  if (k < stages.length - 1) {
    const tail = text.slice(last.start, last.end);
    if (KEEPING_FILE.test(tail)) return true;
    const word = commandWord(tail);
    return (word === 'tee' || word === 'cat') && stdoutRedirect(tail) === undefined;
  }
  const target = stdoutRedirect(stage);
  return target === undefined || KEEPING_FILE.test(target);
}

export interface Heredoc {
  delimiter: string;
  /** The heredoc body is printed (`cat <<EOF` to stdout, a step output or the summary). */
  prints: boolean;
}

/** A heredoc opened on this line (`cmd <<EOF`, `<<-'EOF'`…), not a here-string (`<<<`). */
export function heredocOpened(line: string): Heredoc | undefined {
  if (line.length > MAX_SHELL_LINE) return undefined;
  const m = /(^|[^<])<<-?\s*(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/.exec(line);
  if (!m) return undefined;
  const before = line.slice(0, m.index + m[1]!.length);
  const after = line.slice(m.index + m[0].length);
  const cmds = splitTop(before, false);
  const cmd = before.slice(cmds[cmds.length - 1]!.start);
  const stages = splitTop(cmd, true);
  const word = commandWord(cmd.slice(stages[stages.length - 1]!.start));
  let prints = false;
  if (word === 'cat' || word === 'tee') {
    const rest = splitTop(after, true);
    if (rest.length > 1) prints = KEEPING_FILE.test(after);
    else {
      const target = stdoutRedirect(cmd.slice(stages[stages.length - 1]!.start) + ' ' + after);
      prints = target === undefined || KEEPING_FILE.test(target);
    }
  }
  return { delimiter: m[3]!, prints };
}
