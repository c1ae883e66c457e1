/**
 * pip requirements files (https://pip.pypa.io/en/stable/reference/requirements-file-format/).
 * Pinned requirements (`==` without wildcard, `===`) become components; anything else goes to
 * `unresolved`. `-r` / `-c` includes are read through `input.file`, relative to the including file.
 * pip-compile `# via` annotations, when present, give `direct` and the dependency graph.
 */
import type {
  Component,
  DependencyScope,
  LockfileParser,
  ParseInput,
  ParseResult,
  Unresolved,
} from '../../model.js';
import { purlOf } from '../../purl.js';
import { IdAllocator, resolveRelative } from '../common/inventory.js';
import { normalisePypiName } from './names.js';

const MAX_INCLUDE_DEPTH = 10;

interface Requirement {
  path: string;
  line: number;
  name: string;
  /** The pinned version, or undefined with `reason` set. */
  version?: string;
  reason?: string;
  /** pip-compile `# via` items, when annotated. */
  via?: string[];
}

interface Collected {
  requirements: Requirement[];
  /** Pins from `-c` constraint files, by normalised name. */
  constraints: Map<string, string>;
  unresolved: Unresolved[];
  visited: Set<string>;
}

interface LogicalLine {
  line: number;
  text: string;
}

/** Joins `\` continuations the way pip does; comment lines end a continuation. */
export function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  const physical = text.split(/\r?\n/);
  let pending: string[] = [];
  let start = 0;
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i] ?? '';
    const isComment = /^\s*#/.test(raw);
    if (!raw.endsWith('\\') || isComment) {
      if (pending.length) {
        pending.push(isComment ? '' : raw);
        out.push({ line: start, text: pending.join('') });
        pending = [];
        if (isComment) out.push({ line: i + 1, text: raw });
      } else {
        out.push({ line: i + 1, text: raw });
      }
    } else {
      if (!pending.length) start = i + 1;
      pending.push(raw.slice(0, -1));
    }
  }
  if (pending.length) out.push({ line: start, text: pending.join('') });
  return out;
}

/** `-r x`, `-rx`, `--requirement x`, `--requirement=x`: option name and value. */
function splitOption(text: string): { option: string; value: string } {
  const long = /^(--[A-Za-z-]+)(?:\s*=\s*|\s+)?(.*)$/.exec(text);
  if (long) return { option: long[1] ?? '', value: (long[2] ?? '').trim() };
  return { option: text.slice(0, 2), value: text.slice(2).trim() };
}

const PINNED = /^(===|==)\s*([^\s,;*]+)$/;

/** Parses `name[extras] specifiers` (markers and per-requirement options already removed). */
function parseRequirement(spec: string): { name: string; version?: string; reason?: string } | undefined {
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(.*)$/.exec(spec);
  if (!m?.[1]) return undefined;
  const name = m[1];
  let rest = (m[2] ?? '').trim();
  if (rest.startsWith('@'))
    return { name, reason: `URL requirement (${rest.slice(1).trim()}), no version pinned` };
  if (rest.startsWith('(') && rest.endsWith(')')) rest = rest.slice(1, -1).trim();
  if (!rest) return { name, reason: 'no version specifier (not pinned)' };
  const clauses = rest.split(',').map((c) => c.trim());
  let version: string | undefined;
  for (const clause of clauses) {
    const pin = PINNED.exec(clause);
    if (pin?.[2] && (pin[1] === '===' || version === undefined)) version = pin[2];
    else if (!/^(~=|!=|<=|>=|<|>|==)/.test(clause)) return undefined;
  }
  return version ? { name, version } : { name, reason: `not pinned to one version (${rest})` };
}

/** Removes `# comment` (pip: a `#` at the start or after whitespace). */
function stripComment(text: string): string {
  const m = /(^|\s)#/.exec(text);
  return m ? text.slice(0, m.index) : text;
}

/** Per-requirement options (`--hash=…`, `--config-settings …`) start at the first ` --`. */
function stripRequirementOptions(text: string): string {
  const m = /\s--?[A-Za-z]/.exec(text);
  return m ? text.slice(0, m.index) : text;
}

function nameFromEditable(value: string): string {
  const egg = /[#&]egg=([A-Za-z0-9._-]+)/.exec(value);
  if (egg?.[1]) return egg[1];
  const tail = value
    .replace(/[#?].*$/, '')
    .replace(/\/+$/, '')
    .split(/[/@]/)
    .pop();
  return tail?.replace(/\.git$/, '') || value;
}

/** Reads one requirements (or constraints) file, following includes. */
function collect(
  input: ParseInput,
  path: string,
  text: string,
  mode: 'requirements' | 'constraints',
  depth: number,
  acc: Collected,
): void {
  acc.visited.add(`${mode}:${path}`);
  let viaTarget: Requirement | undefined;
  let inViaList = false;
  for (const { line, text: raw } of logicalLines(text)) {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) {
      const via = /^#\s+via(?:\s+(\S.*))?$/.exec(trimmed);
      if (via && viaTarget) {
        viaTarget.via ??= [];
        if (via[1]) viaTarget.via.push(via[1].trim());
        inViaList = !via[1];
      } else if (inViaList && viaTarget && /^#\s{2,}\S/.test(trimmed)) {
        viaTarget.via?.push(trimmed.slice(1).trim());
      } else {
        inViaList = false;
      }
      continue;
    }
    inViaList = false;
    const content = stripComment(raw).trim();
    if (!content) continue;
    if (content.startsWith('-')) {
      viaTarget = undefined;
      const { option, value } = splitOption(content);
      const include =
        option === '-r' || option === '--requirement'
          ? mode
          : option === '-c' || option === '--constraint'
            ? 'constraints'
            : undefined;
      if (include) {
        followInclude(input, path, line, value, include, depth, acc);
      } else if (option === '-e' || option === '--editable') {
        if (mode === 'requirements')
          acc.unresolved.push({
            path,
            line,
            name: nameFromEditable(value),
            reason: `editable requirement (${value}), no version pinned`,
          });
      }
      // Index, find-links and install options (-i, --extra-index-url, --trusted-host…) do not name packages.
      continue;
    }
    const spec = stripRequirementOptions(content);
    const urlLike = /^(\.{0,2}\/|[A-Za-z][A-Za-z0-9+.-]*:\/\/|[A-Za-z]:\\)/.test(spec);
    const beforeMarker = urlLike ? spec : (spec.split(';')[0] ?? '').trim();
    const parsed = urlLike ? undefined : parseRequirement(beforeMarker);
    if (!parsed) {
      viaTarget = undefined;
      if (mode === 'requirements')
        acc.unresolved.push({
          path,
          line,
          name: nameFromEditable(spec),
          reason: `not a pinned requirement: ${spec}`,
        });
      continue;
    }
    if (mode === 'constraints') {
      if (parsed.version && !acc.constraints.has(normalisePypiName(parsed.name)))
        acc.constraints.set(normalisePypiName(parsed.name), parsed.version);
      viaTarget = undefined;
      continue;
    }
    const req: Requirement = { path, line, name: parsed.name };
    if (parsed.version) req.version = parsed.version;
    if (parsed.reason) req.reason = parsed.reason;
    acc.requirements.push(req);
    viaTarget = req;
  }
}

function followInclude(
  input: ParseInput,
  from: string,
  line: number,
  value: string,
  mode: 'requirements' | 'constraints',
  depth: number,
  acc: Collected,
): void {
  const target = resolveRelative(from, value);
  const note = (reason: string): void => {
    acc.unresolved.push({ path: from, line, name: value || '(empty include)', reason });
  };
  if (!value) return note('include option without a file name');
  if (!target) return note('include outside the scan root or remote; not followed');
  if (acc.visited.has(`${mode}:${target}`)) return; // already read: loop or diamond
  if (depth >= MAX_INCLUDE_DEPTH) return note(`include depth limit (${MAX_INCLUDE_DEPTH}) reached`);
  const text = input.file(target);
  if (text === undefined) return note(`included file ${target} not found in the scan`);
  collect(input, target, text, mode, depth + 1, acc);
}

const DEV_WORDS = new Set([
  'dev',
  'devel',
  'develop',
  'development',
  'lint',
  'linting',
  'doc',
  'docs',
  'typing',
]);
const TEST_WORDS = new Set(['test', 'tests', 'testing']);

/** `requirements-dev.txt`, `requirements/test.txt`, `dev-requirements.txt` → dev / test scope. */
export function scopeFromFileName(path: string): DependencyScope | undefined {
  const base = (path.split('/').pop() ?? path).replace(/\.[^.]*$/, '').toLowerCase();
  const words = base.split(/[-_.]+/);
  if (words.some((w) => TEST_WORDS.has(w))) return 'test';
  if (words.some((w) => DEV_WORDS.has(w))) return 'dev';
  return undefined;
}

/** pip-compile `via` items that mean "asked for by the project": `-r requirements.in`, `x (pyproject.toml)`. */
function isProjectOrigin(item: string): boolean {
  if (/^-r\s/.test(item)) return true;
  const paren = item.lastIndexOf('(');
  return paren > 0 && /^\([^()]*\.(toml|cfg|py|in|txt)\)\s*$/.test(item.slice(paren));
}

export function parseRequirementsTxt(input: ParseInput): ParseResult {
  const acc: Collected = { requirements: [], constraints: new Map(), unresolved: [], visited: new Set() };
  collect(input, input.path, input.text, 'requirements', 0, acc);

  const ids = new IdAllocator();
  const components: Component[] = [];
  const byName = new Map<string, Component[]>();
  const seen = new Set<string>();
  const pending: { component: Component; via: string[] }[] = [];
  for (const req of acc.requirements) {
    const key = normalisePypiName(req.name);
    const version = req.version ?? acc.constraints.get(key);
    if (!version) {
      acc.unresolved.push({
        path: req.path,
        line: req.line,
        name: req.name,
        reason: req.reason ?? 'not pinned',
      });
      continue;
    }
    const dedupe = `${req.path}\n${key}\n${version}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    const purl = purlOf('PyPI', req.name, version);
    const component: Component = {
      ecosystem: 'PyPI',
      name: req.name,
      version,
      purl,
      location: { path: req.path, line: req.line },
      id: ids.take(purl),
    };
    const scope = scopeFromFileName(req.path);
    if (scope) component.scope = scope;
    if (req.via) {
      component.direct = req.via.some(isProjectOrigin);
      pending.push({ component, via: req.via });
    }
    components.push(component);
    const list = byName.get(key) ?? [];
    list.push(component);
    byName.set(key, list);
  }
  // `# via parent` on a child: the parent depends on the child.
  for (const { component, via } of pending) {
    for (const item of via) {
      if (isProjectOrigin(item)) continue;
      const parentName = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(item)?.[0];
      for (const parent of (parentName && byName.get(normalisePypiName(parentName))) || []) {
        parent.dependsOn ??= [];
        if (!parent.dependsOn.includes(component.id)) parent.dependsOn.push(component.id);
      }
    }
  }
  const result: ParseResult = { components };
  if (acc.unresolved.length) result.unresolved = acc.unresolved;
  return result;
}

export const requirementsTxtParser: LockfileParser = {
  id: 'pip-requirements',
  ecosystem: 'PyPI',
  format: 'pip requirements file (requirements*.txt)',
  companions: ['*.txt', 'requirements/*.txt', '../*.txt'],
  matches(path: string): boolean {
    const parts = path.split('/');
    const base = parts[parts.length - 1] ?? '';
    if (/^requirements.*\.txt$/i.test(base)) return true;
    return /\.txt$/i.test(base) && (parts[parts.length - 2] ?? '').toLowerCase() === 'requirements';
  },
  parse: parseRequirementsTxt,
};
