/**
 * go.mod (https://go.dev/ref/mod#go-mod-file) with its go.sum. `require` lines are the components
 * (`// indirect` → direct=false); `replace` directives are applied (a local-path replacement drops
 * the module and notes it as unresolved); `exclude` and `retract` do not change the build list.
 *
 * Before Go 1.17 go.mod lists only part of the build list, so, like Trivy, the modules named in go.sum
 * are added as transitive components, one version each (the highest, which is what minimal version
 * selection picks among the go.mod files go.sum records). From Go 1.17 on go.mod is complete and
 * go.sum is not read. A `toolchain` line adds the Go standard library (`stdlib`) at that version.
 */
import semver from 'semver';
import type {
  Component,
  LockfileParser,
  ParseInput,
  ParseProblem,
  ParseResult,
  Unresolved,
} from '../../model.js';
import { purlOf } from '../../purl.js';
import { IdAllocator, siblingPath, parseResult } from '../common/inventory.js';

interface Require {
  path: string;
  version: string;
  indirect: boolean;
  line: number;
}

interface Replace {
  oldPath: string;
  oldVersion?: string;
  newPath: string;
  newVersion?: string;
  line: number;
}

export interface GoModFile {
  module?: string;
  go?: string;
  toolchain?: { version: string; line: number };
  requires: Require[];
  replaces: Replace[];
  errors: ParseProblem[];
}

const BLOCK_VERBS = new Set(['require', 'replace', 'exclude', 'retract', 'godebug', 'tool', 'ignore']);
const KNOWN_VERBS = new Set([...BLOCK_VERBS, 'module', 'go', 'toolchain']);

/** Splits a line into tokens and its `//` comment; module paths may be quoted. */
function tokenize(line: string): { tokens: string[]; comment: string } {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (line.startsWith('//', i)) {
      return { tokens, comment: line.slice(i + 2).trim() };
    } else if (c === '"' || c === '`') {
      const end = line.indexOf(c, i + 1);
      const stop = end < 0 ? line.length : end;
      tokens.push(line.slice(i + 1, stop).replace(/\\(.)/g, '$1'));
      i = stop + 1;
    } else {
      let j = i;
      while (j < line.length && !/[\s"`]/.test(line[j] as string) && !line.startsWith('//', j)) j++;
      tokens.push(line.slice(i, j));
      i = j;
    }
  }
  return { tokens, comment: '' };
}

/** A `v1.2.3` module version without its `v` (OSV and purl spell Go versions that way). */
export function goVersion(v: string): string {
  return v.startsWith('v') ? v.slice(1) : v;
}

function isIndirect(comment: string): boolean {
  return /^indirect(\s*;|$)/.test(comment) || /;\s*indirect(\s*;|$)/.test(comment);
}

export function parseGoModText(path: string, text: string): GoModFile {
  const out: GoModFile = { requires: [], replaces: [], errors: [] };
  let block: string | undefined;
  let blockLine = 0;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = n + 1;
    const { tokens, comment } = tokenize(lines[n] ?? '');
    if (!tokens.length) continue;
    let verb: string;
    let args: string[];
    if (block) {
      if (tokens[0] === ')') {
        block = undefined;
        continue;
      }
      verb = block;
      args = tokens;
    } else {
      verb = tokens[0] as string;
      args = tokens.slice(1);
      if (BLOCK_VERBS.has(verb) && args[0] === '(') {
        block = verb;
        blockLine = line;
        continue;
      }
    }
    const problem = (message: string): void => {
      out.errors.push({ path, line, message });
    };
    switch (verb) {
      case 'module':
        out.module = args[0];
        break;
      case 'go':
        if (args[0]) out.go = args[0];
        break;
      case 'toolchain':
        if (args[0]?.startsWith('go')) out.toolchain = { version: args[0].slice(2), line };
        break;
      case 'require':
        if (args.length < 2 || !args[1]?.startsWith('v')) problem(`malformed require: ${tokens.join(' ')}`);
        else
          out.requires.push({
            path: args[0] as string,
            version: args[1],
            indirect: isIndirect(comment),
            line,
          });
        break;
      case 'replace': {
        const arrow = args.indexOf('=>');
        const left = arrow < 0 ? [] : args.slice(0, arrow);
        const right = arrow < 0 ? [] : args.slice(arrow + 1);
        if (arrow < 0 || left.length < 1 || left.length > 2 || right.length < 1 || right.length > 2) {
          problem(`malformed replace: ${tokens.join(' ')}`);
          break;
        }
        const r: Replace = { oldPath: left[0] as string, newPath: right[0] as string, line };
        if (left[1]) r.oldVersion = left[1];
        if (right[1]) r.newVersion = right[1];
        out.replaces.push(r);
        break;
      }
      default:
        if (!KNOWN_VERBS.has(verb)) problem(`unknown directive "${verb}"`);
    }
  }
  if (block) out.errors.push({ path, line: blockLine, message: `unterminated ${block} block` });
  return out;
}

function compareGoVersions(a: string, b: string): number {
  const va = semver.valid(goVersion(a));
  const vb = semver.valid(goVersion(b));
  if (va && vb) return semver.compare(va, vb);
  if (va || vb) return va ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** go.sum: module → highest version recorded (zip or /go.mod hash) and the line of its first entry. */
export function goSumModules(text: string): Map<string, { version: string; line: number }> {
  const modules = new Map<string, { version: string; line: number }>();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const fields = (lines[n] ?? '').trim().split(/\s+/);
    if (fields.length < 2 || !fields[0] || !fields[1]?.startsWith('v')) continue;
    const version = fields[1].replace(/\/go\.mod$/, '');
    const seen = modules.get(fields[0]);
    if (!seen || compareGoVersions(version, seen.version) > 0)
      modules.set(fields[0], { version, line: n + 1 });
  }
  return modules;
}

/** Go < 1.17 (or no `go` line): go.mod does not list the whole build list. */
function goModIsPartial(go: string | undefined): boolean {
  if (!go) return true;
  const m = /^(\d+)\.(\d+)/.exec(go);
  if (!m) return true;
  return Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 17);
}

interface Module {
  path: string;
  version: string;
  direct: boolean;
  file: string;
  line: number;
}

export function parseGoMod(input: ParseInput): ParseResult {
  const mod = parseGoModText(input.path, input.text);
  const unresolved: Unresolved[] = [];
  const modules = new Map<string, Module>();
  for (const r of mod.requires) {
    if (!modules.has(r.path))
      modules.set(r.path, {
        path: r.path,
        version: r.version,
        direct: !r.indirect,
        file: input.path,
        line: r.line,
      });
  }
  if (goModIsPartial(mod.go)) {
    const sumPath = siblingPath(input.path, 'go.sum');
    const sum = input.file(sumPath);
    if (sum !== undefined) {
      for (const [path, { version, line }] of goSumModules(sum)) {
        if (!modules.has(path) && path !== mod.module)
          modules.set(path, { path, version, direct: false, file: sumPath, line });
      }
    }
  }
  let buildList = [...modules.values()];
  for (const r of mod.replaces) {
    const index = buildList.findIndex(
      (m) => m.path === r.oldPath && (!r.oldVersion || m.version === r.oldVersion),
    );
    const old = buildList[index];
    if (!old) continue;
    if (!r.newVersion) {
      buildList.splice(index, 1);
      unresolved.push({
        path: input.path,
        line: r.line,
        name: r.oldPath,
        reason: `replaced by local path ${r.newPath}`,
      });
      continue;
    }
    const replacement = {
      path: r.newPath,
      version: r.newVersion,
      direct: old.direct,
      file: input.path,
      line: r.line,
    };
    // The replacement takes the old entry's place; a go.sum entry for the new path is superseded.
    buildList = buildList.flatMap((m, i) => (i === index ? [replacement] : m.path === r.newPath ? [] : [m]));
  }

  const ids = new IdAllocator();
  const components: Component[] = [];
  if (mod.toolchain) {
    const purl = purlOf('Go', 'stdlib', mod.toolchain.version);
    components.push({
      ecosystem: 'Go',
      name: 'stdlib',
      version: mod.toolchain.version,
      purl,
      location: { path: input.path, line: mod.toolchain.line },
      id: ids.take(purl),
    });
  }
  for (const m of buildList) {
    const version = goVersion(m.version);
    const purl = purlOf('Go', m.path, version);
    components.push({
      ecosystem: 'Go',
      name: m.path,
      version,
      purl,
      direct: m.direct,
      location: { path: m.file, line: m.line },
      id: ids.take(purl),
    });
  }
  return parseResult(components, mod.errors, unresolved);
}

export const goModParser: LockfileParser = {
  id: 'go-mod',
  ecosystem: 'Go',
  format: 'Go modules (go.mod + go.sum)',
  companions: ['go.sum'],
  matches: (path: string) => /(^|\/)go\.mod$/.test(path),
  parse: parseGoMod,
};
