/**
 * Big and adversarial inputs through the real secret scanner, under the per-file time budget: they
 * are scanned within it (and the planted secrets found), or the scan stops at the deadline with a
 * warning — never a crash, never a hang. Inputs are generated on the fly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/core/finding.js';
import { Worker } from 'node:worker_threads';
import { prng } from './helpers.js';

/** The budget the realistic inputs must fit in (the CLI's per-file budget is of this order). */
const BUDGET_MS = 10_000;
const T = { timeout: 120_000 };

// Planted tokens, assembled at run time so this file does not look like a leak itself.
const GITHUB_PAT = ['ghp', 'K7mQ2xR9vB4nT8wL1pZ6sD3fH5jC0aYe9uNi'].join('_');
const AWS_KEY_ID = ['AKIA', 'ZT4NQ7RW2XP6YB3M'].join('');

/**
 * Worker threads do not inherit the tsx loader of the test process: a tiny ES module (data: URL)
 * registers tsx in the worker, then imports the TypeScript worker.
 */
const WORKER_BOOTSTRAP = new URL(
  `data:text/javascript,${encodeURIComponent(
    `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};\n` +
      `register();\n` +
      `await import(${JSON.stringify(new URL('./scan-worker.ts', import.meta.url).href)});\n`,
  )}`,
);

interface Outcome {
  findings: Finding[];
  warnings: string[];
  ms: number;
}

/**
 * Scans in a worker thread with the given per-file budget; the worker is killed if it is still
 * running `hardLimitMs` after the deadline (then the promise rejects: the scan hung).
 */
async function scanTimed(
  path: string,
  content: Buffer,
  budgetMs = BUDGET_MS,
  hardLimitMs = 20_000,
): Promise<Outcome> {
  const worker = new Worker(WORKER_BOOTSTRAP, { workerData: { path, content, budgetMs } });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<Outcome>((resolve, reject) => {
      // The worker compiles the rules first (~0.5 s), hence the fixed allowance on top.
      timer = setTimeout(
        () =>
          reject(
            new Error(`${path}: still scanning ${budgetMs + hardLimitMs} ms after start, killed (hang)`),
          ),
        2_000 + budgetMs + hardLimitMs,
      );
      worker.once('message', (m: Outcome) => resolve(m));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`scan worker exited with ${code}`)));
    });
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

const rulesAt = (findings: Finding[], line: number) =>
  findings
    .filter((f) => f.location && f.location.startLine <= line && f.location.endLine >= line)
    .map((f) => f.ruleId);

/**
 * Minified-JavaScript-like text on one line: the identifiers real bundles are full of (apiKey,
 * token, secret, auth, password…) are exactly the generic rules' keywords, so this exercises the
 * prefilter's worst realistic case.
 */
function minifiedJs(bytes: number, seed: number): string {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const ids = ['e', 't', 'n', 'r', 'i', 'o', 'a', 's', 'u', 'c', 'l', 'f', 'd', 'h', 'p'];
  const props = [
    'apiKey',
    'accessToken',
    'authorization',
    'headers',
    'secretKey',
    'password',
    'token',
    'credentials',
    'keyCode',
    'publicKey',
    'cacheKey',
    'getItem',
    'setItem',
    'length',
    'push',
    'apply',
    'call',
    'prototype',
    'value',
    'auth',
    'bearer',
    'privateKey',
    'signature',
    'tokenType',
    'keys',
  ];
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const str = (n: number) =>
    Array.from({ length: n }, () => alnum[Math.floor(rnd() * alnum.length)]).join('');
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const a = pick(ids);
    const b = pick(ids);
    const p = pick(props);
    const q = pick(props);
    const stmt = pick([
      `function ${a}(${b},${pick(ids)}){return ${b}.${p}||${b}["${q}"]}`,
      `var ${a}=${b}.${p}&&${b}.${p}.${q};`,
      `${a}.${p}="${str(4 + Math.floor(rnd() * 12))}";`,
      `if(!${a}.${p})throw new Error("missing ${p}");`,
      `${a}.headers={"Content-Type":"application/json",Authorization:"Bearer "+${b}.${q}};`,
      `${a}=${Math.floor(rnd() * 1e6)},${b}=[${Math.floor(rnd() * 100)},${Math.floor(rnd() * 100)}];`,
      `${a}.prototype.${p}=function(){return this._${q}};`,
    ]);
    parts.push(stmt);
    size += stmt.length;
  }
  return parts.join('');
}

test('a 5 MB single-line minified file is scanned within the budget and its secrets found', T, async () => {
  const half = minifiedJs(2.5 * 1024 * 1024, 1);
  const text = `${half}var gh="${GITHUB_PAT}";${minifiedJs(2.5 * 1024 * 1024, 2)}aws.accessKeyId="${AWS_KEY_ID}";\n`;
  assert.ok(text.length >= 5 * 1024 * 1024 && !text.slice(0, -1).includes('\n'));
  const { findings, warnings, ms } = await scanTimed('dist/app.min.js', Buffer.from(text));
  assert.deepEqual(warnings, [], 'no time-budget warning');
  assert.ok(ms < BUDGET_MS, `took ${ms.toFixed(0)} ms`);
  const ids = rulesAt(findings, 1);
  assert.ok(ids.includes('secret/github-pat'), ids.join(','));
  assert.ok(
    findings.some((f) => f.ruleId.startsWith('secret/aws')),
    ids.join(','),
  );
  const gh = findings.find((f) => f.ruleId === 'secret/github-pat')!;
  assert.equal(gh.location!.startColumn, half.length + 'var gh="'.length + 1);
  // the report never carries the token itself
  assert.ok(!JSON.stringify(findings).includes(GITHUB_PAT));
  process.stderr.write(`# 5 MB minified line: ${ms.toFixed(0)} ms, ${findings.length} finding(s)\n`);
});

test('a 50,000-line file is scanned within the budget with exact line numbers', T, async () => {
  const rnd = prng(3);
  const lines: string[] = [];
  for (let i = 1; i <= 50_000; i++) {
    const k = Math.floor(rnd() * 5);
    lines.push(
      k === 0
        ? `  const token${i} = await getToken(session, "scope-${i}");`
        : k === 1
          ? `  if (!config.apiKey) throw new Error("api key missing at step ${i}");`
          : k === 2
            ? `  headers["Authorization"] = \`Bearer \${auth.accessToken}\`; // ${i}`
            : k === 3
              ? `  password_hint_${i}: "see the vault",`
              : `  total += items[${i}].price * items[${i}].qty;`,
    );
  }
  lines[0] = `GITHUB_TOKEN=${GITHUB_PAT}`;
  lines[24_999] = `aws_access_key_id = ${AWS_KEY_ID}`;
  lines[49_999] = `export GH=${GITHUB_PAT}`;
  const { findings, warnings, ms } = await scanTimed('src/big.js', Buffer.from(`${lines.join('\n')}\n`));
  assert.deepEqual(warnings, []);
  assert.ok(ms < BUDGET_MS, `took ${ms.toFixed(0)} ms`);
  assert.ok(rulesAt(findings, 1).includes('secret/github-pat'));
  assert.ok(rulesAt(findings, 25_000).some((id) => id.startsWith('secret/aws')));
  assert.ok(rulesAt(findings, 50_000).includes('secret/github-pat'));
  process.stderr.write(`# 50,000 lines: ${ms.toFixed(0)} ms, ${findings.length} finding(s)\n`);
});

test('a secret next to invalid UTF-8 bytes is found on the right line', T, async () => {
  const content = Buffer.concat([
    Buffer.from([0xff, 0xfe, 0xfd, 0x0a]), // line 1: garbage
    Buffer.from([0xc3, 0x28, 0x20]), // line 2: an invalid sequence, then the token
    Buffer.from(`token: ${GITHUB_PAT}`),
    Buffer.from([0x80, 0x0a]), // a stray continuation byte right after it
  ]);
  const { findings, warnings } = await scanTimed('legacy.yaml', content);
  assert.deepEqual(warnings, []);
  assert.ok(
    rulesAt(findings, 2).includes('secret/github-pat'),
    JSON.stringify(findings.map((f) => [f.ruleId, f.location])),
  );
});

test('adversarial keyword floods stop at the deadline with a warning, never hang', T, async () => {
  const floods: [string, string][] = [
    ['keywords.txt', 'api_key=token=secret=password='.repeat(180_000)], // ~5 MB, one line, every rule family's keyword
    ['pem.txt', '-----BEGIN RSA PRIVATE KEY-----\n'.repeat(160_000)], // the widest-span rule, 160k times
    ['equals.txt', `password=${'='.repeat(5 * 1024 * 1024)}`], // a 5 MB run of one character
    ['base64.txt', `secret: "${'QUJD'.repeat(1_300_000)}"`], // a 5 MB base64-looking value
  ];
  for (const [name, text] of floods) {
    const budget = 300;
    const { warnings, ms } = await scanTimed(name, Buffer.from(text), budget);
    // Either it finished inside the budget, or it noticed the deadline and said so. The engine
    // checks the deadline between regex runs, and one run over a keyword-dense 5 MB line cannot be
    // interrupted (measured: ~3.5 s alone, more on a busy machine), so the overshoot allowed is
    // 10 s; a real hang is killed at 20 s by scanTimed.
    if (ms > budget)
      assert.equal(warnings.length, 1, `${name}: over budget (${ms.toFixed(0)} ms) without a warning`);
    assert.ok(ms < budget + 10_000, `${name}: took ${ms.toFixed(0)} ms for a ${budget} ms budget`);
    process.stderr.write(`# ${name}: ${ms.toFixed(0)} ms, ${warnings.length} warning(s)\n`);
  }
});
