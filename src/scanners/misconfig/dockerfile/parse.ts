/**
 * A hand-written Dockerfile parser: parser directives (`# escape=`), comments, line continuations,
 * heredocs (`RUN <<EOF`), JSON (exec) and shell forms, flags (`--from=…`), stages. Pure, linear.
 */

export interface Instruction {
  /** Upper-case keyword, e.g. `RUN`. */
  keyword: string;
  /** Flags before the arguments: `--from=build` → { from: 'build' }. */
  flags: Record<string, string>;
  /** Arguments text after the flags, continuation lines joined with a space. */
  args: string;
  /** Exec form `["a","b"]`, when the arguments are a JSON array of strings. */
  json?: string[];
  /** Heredoc bodies (`<<EOF … EOF`), in order. */
  heredocs: string[];
  startLine: number;
  endLine: number;
  /** Index of the stage (FROM) it belongs to; -1 before the first FROM. */
  stage: number;
}

export interface Stage {
  index: number;
  image: string;
  alias?: string;
  from: Instruction;
}

export interface DockerfileParseError {
  message: string;
  line: number;
}

export interface ParsedDockerfile {
  instructions: Instruction[];
  stages: Stage[];
  errors: DockerfileParseError[];
}

export const DOCKERFILE_LIMITS = { maxBytes: 4 * 1024 * 1024, maxInstructions: 20_000 } as const;

export const KNOWN_INSTRUCTIONS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

const HEREDOC = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const instructions: Instruction[] = [];
  const stages: Stage[] = [];
  const errors: DockerfileParseError[] = [];
  let escape = '\\';
  let directivesOpen = true;
  let i = 0;
  while (i < lines.length && instructions.length < DOCKERFILE_LIMITS.maxInstructions) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (directivesOpen) {
      const d = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(trimmed);
      if (d && d[1]!.toLowerCase() === 'escape' && (d[2] === '`' || d[2] === '\\')) {
        escape = d[2];
        i++;
        continue;
      }
      if (d) {
        i++;
        continue;
      }
      directivesOpen = false;
    }
    if (trimmed === '' || trimmed.startsWith('#')) {
      i++;
      continue;
    }
    const startLine = i + 1;
    // Join continuation lines; comment and empty lines inside a continuation are dropped.
    let logical = '';
    let line = raw;
    for (;;) {
      const body = line.replace(/\s+$/, '');
      if (body.endsWith(escape) && i + 1 < lines.length) {
        logical += body.slice(0, -1) + ' ';
        i++;
        while (i < lines.length && (lines[i]!.trim() === '' || lines[i]!.trim().startsWith('#'))) i++;
        if (i >= lines.length) break;
        line = lines[i]!;
        continue;
      }
      logical += body.endsWith(escape) ? body.slice(0, -1) : body;
      break;
    }
    let endLine = i + 1;
    i++;
    const m = /^\s*([A-Za-z]+)(?:\s+|$)([\s\S]*)$/.exec(logical);
    if (!m) {
      errors.push({
        message: `not a Dockerfile instruction: "${logical.trim().slice(0, 40)}"`,
        line: startLine,
      });
      continue;
    }
    const keyword = m[1]!.toUpperCase();
    if (!KNOWN_INSTRUCTIONS.has(keyword)) {
      errors.push({ message: `unknown instruction ${keyword}`, line: startLine });
      continue;
    }
    let rest = m[2]!.trim();
    const flags: Record<string, string> = {};
    if (keyword !== 'ONBUILD') {
      for (;;) {
        const f = /^--([A-Za-z][\w-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
        if (!f) break;
        flags[f[1]!.toLowerCase()] = f[2] ?? 'true';
        rest = rest.slice(f[0].length);
      }
    }
    // Heredocs (BuildKit): the body lines follow the instruction up to the terminator.
    const heredocs: string[] = [];
    if (keyword === 'RUN' || keyword === 'COPY' || keyword === 'ADD') {
      for (const h of rest.matchAll(HEREDOC)) {
        const stripTabs = h[1] === '-';
        const word = h[3]!;
        const body: string[] = [];
        let closed = false;
        while (i < lines.length) {
          const l = lines[i]!;
          i++;
          if ((stripTabs ? l.replace(/^\t+/, '') : l) === word) {
            closed = true;
            break;
          }
          body.push(stripTabs ? l.replace(/^\t+/, '') : l);
        }
        endLine = i;
        if (!closed) errors.push({ message: `heredoc <<${word} is not terminated`, line: startLine });
        heredocs.push(body.join('\n'));
      }
    }
    let json: string[] | undefined;
    if (rest.startsWith('[')) {
      try {
        const v: unknown = JSON.parse(rest);
        if (Array.isArray(v) && v.every((x) => typeof x === 'string')) json = v as string[];
      } catch {
        // Not JSON: Docker then treats it as shell form.
      }
    }
    const ins: Instruction = {
      keyword,
      flags,
      args: rest,
      ...(json ? { json } : {}),
      heredocs,
      startLine,
      endLine,
      stage: stages.length - 1,
    };
    if (keyword === 'FROM') {
      const parts = rest.split(/\s+/);
      const image = parts[0] ?? '';
      if (!image) errors.push({ message: 'FROM without an image', line: startLine });
      const alias = parts.length >= 3 && parts[1]!.toLowerCase() === 'as' ? parts[2] : undefined;
      ins.stage = stages.length;
      stages.push({ index: stages.length, image, ...(alias ? { alias } : {}), from: ins });
    }
    instructions.push(ins);
  }
  if (instructions.length > 0 && stages.length === 0)
    errors.push({ message: 'no FROM instruction', line: instructions[0]!.startLine });
  else if (
    instructions.length > 0 &&
    instructions[0]!.keyword !== 'FROM' &&
    instructions[0]!.keyword !== 'ARG' &&
    stages.length > 0
  ) {
    const first = instructions.find((x) => x.keyword !== 'ARG')!;
    if (first.keyword !== 'FROM')
      errors.push({ message: `${first.keyword} before the first FROM`, line: first.startLine });
  }
  return { instructions, stages, errors };
}

/** Shell words of a command line (quotes removed, no expansion): enough for flag and command checks. */
export function shellWords(command: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of command.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/** Splits a shell command line into simple commands on `&&`, `||`, `;`, `|` and newlines. */
export function simpleCommands(command: string): string[][] {
  return command
    .split(/&&|\|\||;|\||\n/)
    .map((c) => shellWords(c.trim()))
    .map((w) => {
      // Drop leading variable assignments (`A=b cmd`).
      let k = 0;
      while (k < w.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[k]!)) k++;
      // `sudo [-flags] cmd …` runs cmd: checks look at cmd.
      if (w[k] === 'sudo') {
        k++;
        while (k < w.length && w[k]!.startsWith('-')) k++;
      }
      return w.slice(k);
    })
    .filter((w) => w.length > 0);
}

/** The command text of a RUN: exec form joined, shell form, plus heredoc bodies. */
export function runText(ins: Instruction): string {
  const base = ins.json ? ins.json.join(' ') : ins.args.replace(HEREDOC, '');
  return [base, ...ins.heredocs].join('\n');
}
