import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RampartError } from '../core/errors.js';
import { evaluate, loadPolicies, type KubeObject, type RuleResult } from '../policy/engine/index.js';
import { runKyvernoTest, type TestReport } from '../policy/test-runner/index.js';
import { parseYamlDocs } from '../policy/test-runner/yaml.js';

const MAX_DEPTH = 32;
const SKIP_DIRS = new Set(['.git', 'node_modules']);

/** Files under `root` (a file or a folder) whose name passes `want`; symlinks are not followed. */
function findFiles(root: string, want: (name: string) => boolean): string[] {
  let st;
  try {
    st = statSync(root);
  } catch {
    throw new RampartError('PATH_UNREADABLE', `no such file or directory: ${root}`);
  }
  if (st.isFile()) return [root];
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > MAX_DEPTH) return;
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && !SKIP_DIRS.has(e.name)) walk(p, depth + 1);
      else if (e.isFile() && want(e.name)) out.push(p);
    }
  };
  walk(root, 0);
  return out;
}

const isYaml = (n: string) => /\.(ya?ml|json)$/i.test(n);

function readYamlDocs(files: string[], warn: (m: string) => void): unknown[] {
  const docs: unknown[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (err) {
      warn(`cannot read ${f}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      continue;
    }
    const parsed = parseYamlDocs(text);
    for (const e of parsed.errors) warn(`${f}: invalid YAML: ${e}`);
    docs.push(...parsed.docs);
  }
  return docs;
}

/** Resources of the given documents, with `kind: List` expanded. */
function resourcesOf(docs: unknown[]): KubeObject[] {
  const out: KubeObject[] = [];
  const add = (d: unknown, depth: number) => {
    if (typeof d !== 'object' || d === null || Array.isArray(d) || depth > 4) return;
    const o = d as KubeObject;
    if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
      for (const i of o.items) add(i, depth + 1);
    } else if (typeof o.kind === 'string') out.push(o);
  };
  for (const d of docs) add(d, 0);
  return out;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export async function executePolicyTest(
  dir: string,
  flags: { detailedResults?: boolean; format: 'table' | 'json' },
): Promise<number> {
  const suites = findFiles(path.resolve(dir), (n) => n === 'kyverno-test.yaml' || n === 'kyverno-test.yml');
  if (!suites.length) throw new RampartError('USAGE', `no kyverno-test.yaml found under ${dir}`);
  const reports: TestReport[] = [];
  for (const file of suites) {
    reports.push(
      await runKyvernoTest(path.dirname(file), (p) => readFile(p, 'utf8'), { fileName: path.basename(file) }),
    );
  }
  const passed = reports.reduce((n, r) => n + r.passed, 0);
  const failed = reports.reduce((n, r) => n + r.failed, 0);
  const unsupported = reports.reduce((n, r) => n + r.notSupported.length, 0);
  if (flags.format === 'json') {
    process.stdout.write(
      `${JSON.stringify({ passed, failed, notSupported: unsupported, tests: reports }, null, 2)}\n`,
    );
  } else {
    const rows: string[] = [];
    for (const r of reports) {
      const rel = path.relative(process.cwd(), r.file) || r.file;
      const verdict = r.failed || r.errors.length ? 'FAIL' : 'PASS';
      rows.push(
        `${verdict}  ${rel}  (${r.passed} passed, ${r.failed} failed${r.notSupported.length ? `, ${r.notSupported.length} not supported` : ''})`,
      );
      for (const e of r.errors) rows.push(`      error: ${e}`);
      for (const c of r.checks) {
        if (c.ok && !flags.detailedResults) continue;
        rows.push(
          `      ${c.ok ? 'ok  ' : 'MISS'}  ${pad(`${c.policy}/${c.rule}`, 48)} ${pad(`${c.kind}/${c.resource}`, 40)} expected ${c.expected}, got ${c.actual}`,
        );
      }
      for (const u of r.notSupported.filter(() => flags.detailedResults))
        rows.push(
          `      n/a   ${pad(`${u.policy}/${u.rule}`, 48)} ${pad(`${u.kind}/${u.resource}`, 40)} ${u.reason}`,
        );
    }
    process.stdout.write(
      `${rows.join('\n')}\n\n${reports.length} test file(s): ${passed} passed, ${failed} failed${unsupported ? `, ${unsupported} not supported (mutate/generate)` : ''}\n`,
    );
  }
  return failed > 0 || reports.some((r) => r.errors.length > 0) ? 1 : 0;
}

export async function executePolicyApply(flags: {
  policy: string[];
  resource: string[];
  auditWarn?: boolean;
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  format: 'table' | 'json';
}): Promise<number> {
  const warn = (m: string) => process.stderr.write(`rampart: warning: ${m}\n`);
  const set = loadPolicies(
    readYamlDocs(
      flags.policy.flatMap((p) => findFiles(path.resolve(p), isYaml)),
      warn,
    ),
  );
  for (const e of set.errors) warn(`policy ${e.policy}${e.rule ? ` rule ${e.rule}` : ''}: ${e.message}`);
  if (!set.policies.length) throw new RampartError('USAGE', `no policy found in ${flags.policy.join(', ')}`);
  const resources = resourcesOf(
    readYamlDocs(
      flags.resource.flatMap((p) => findFiles(path.resolve(p), isYaml)),
      warn,
    ),
  );
  const results: RuleResult[] = [];
  for (const r of resources) {
    const ctx =
      flags.operation === 'CREATE'
        ? { operation: flags.operation }
        : { operation: flags.operation, oldObject: r };
    results.push(
      ...evaluate(set, r, ctx).map((x) =>
        flags.auditWarn && x.status === 'fail' && x.failureAction === 'Audit'
          ? { ...x, status: 'warn' as const }
          : x,
      ),
    );
  }
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const summary = `pass: ${count('pass')}, fail: ${count('fail')}, warn: ${count('warn')}, error: ${count('error')}, skip: ${count('skip')}`;
  if (flags.format === 'json') {
    process.stdout.write(
      `${JSON.stringify({ summary: { pass: count('pass'), fail: count('fail'), warn: count('warn'), error: count('error'), skip: count('skip') }, results }, null, 2)}\n`,
    );
  } else {
    const rows = results
      .filter((r) => r.status !== 'pass' && r.status !== 'skip')
      .map((r) => {
        const id = `${r.resource.kind}/${r.resource.namespace ? `${r.resource.namespace}/` : ''}${r.resource.name}`;
        return `${pad(r.status.toUpperCase(), 6)} ${pad(`${r.policy}/${r.rule}`, 50)} ${pad(id, 40)} ${r.message.replace(/\s+/g, ' ').slice(0, 300)}`;
      });
    process.stdout.write(
      `${rows.length ? `${rows.join('\n')}\n\n` : ''}${set.policies.length} policies, ${resources.length} resources — ${summary}\n`,
    );
  }
  return count('fail') + count('error') > 0 ? 1 : 0;
}
