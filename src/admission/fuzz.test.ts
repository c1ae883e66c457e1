/**
 * Fuzz: ≥ 10,000 mutated AdmissionReviews over HTTPS to the real server (TLS, body parsing, review
 * checks, decision, serialization, logging, metrics), twice: with an evaluator that walks the whole
 * object and echoes parts of it in messages, and with the real engine and every built-in pack
 * (skipped until src/policy/engine/index.ts exists). Expectations: the server never crashes or hangs,
 * each answer arrives within a bound, and every status is 200 or 400.
 * Reproducible: seed from RAMPART_FUZZ_SEED (default 20240521); count from RAMPART_FUZZ_COUNT.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject, RuleResult } from '../policy/engine/types.js';
import { createClient, podReview, type Client } from './__fixtures__/client.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolveBuiltinPacks, withFailureAction } from './builtin-packs.js';
import { generateCertificates } from './certs.js';
import { engineEvaluatorFactory, loadEngineFacade } from './engine-evaluator.js';
import { readPolicyFiles } from './policy-files.js';
import { createAdmissionServer, type AdmissionServer } from './server.js';
import type { Evaluator } from './types.js';

const COUNT = Number(process.env.RAMPART_FUZZ_COUNT ?? 10_000);
const SEED = Number(process.env.RAMPART_FUZZ_SEED ?? 20240521);
const CONCURRENCY = 16;
/** Generous: a 2-core CI machine also runs the client; the budget inside the server is 2 s. */
const MAX_RESPONSE_MS = 5000;

/** mulberry32: small, fast, seedable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function deploymentReview(): Record<string, unknown> {
  const review = podReview({ name: 'api', namespace: 'shop' });
  const request = review.request as Record<string, unknown>;
  request.kind = { group: 'apps', version: 'v1', kind: 'Deployment' };
  request.resource = { group: 'apps', version: 'v1', resource: 'deployments' };
  request.object = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'shop', labels: { app: 'api' }, annotations: { 'a/b': 'c' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'api' } },
      template: {
        metadata: { labels: { app: 'api' } },
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'api',
              image: 'registry.example.com/api:2.0.1',
              ports: [{ containerPort: 8080 }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
  return review;
}

const BASES: (() => Record<string, unknown>)[] = [
  () => podReview(),
  () => podReview({ operation: 'UPDATE', dryRun: true }),
  () => podReview({ operation: 'DELETE' }),
  deploymentReview,
];

const WEIRD_STRINGS = [
  '',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '💥'.repeat(50),
  '\u202e\u2066',
  '{{ request.object.metadata.name }}',
  '$(./../x)',
  '*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?a',
  'a'.repeat(300),
  '__proto__',
  'constructor',
  'toString',
  '../../etc/passwd',
  '\\u0000',
  '"quoted"',
];

function randomValue(rand: () => number, depth = 0): Json {
  const r = rand();
  if (r < 0.12) return null;
  if (r < 0.24) return rand() < 0.5;
  if (r < 0.4) return [0, -1, 1e308, -0, 2 ** 53 + 1, 0.1, 1e-300][Math.floor(rand() * 7)]!;
  if (r < 0.65) return WEIRD_STRINGS[Math.floor(rand() * WEIRD_STRINGS.length)]!;
  if (depth > 3) return 'leaf';
  if (r < 0.82) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
  const o: Record<string, Json> = {};
  for (let i = 0; i < Math.floor(rand() * 4); i++)
    o[WEIRD_STRINGS[Math.floor(rand() * WEIRD_STRINGS.length)]! || 'k'] = randomValue(rand, depth + 1);
  return o;
}

/** Every container (object or array) in a JSON tree with the key that leads to each child. */
function containers(root: Json): { parent: Json[] | { [k: string]: Json }; key: string | number }[] {
  const out: { parent: Json[] | { [k: string]: Json }; key: string | number }[] = [];
  const stack: Json[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (Array.isArray(node)) {
      node.forEach((v, i) => {
        out.push({ parent: node, key: i });
        stack.push(v);
      });
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        out.push({ parent: node, key: k });
        stack.push(v);
      }
    }
  }
  return out;
}

function nested(depth: number, rand: () => number): Json {
  let v: Json = 'bottom';
  for (let i = 0; i < depth; i++) v = rand() < 0.5 ? [v] : { n: v };
  return v;
}

function mutateTree(tree: Json, rand: () => number): void {
  const slots = containers(tree);
  if (slots.length === 0) return;
  const slot = slots[Math.floor(rand() * slots.length)]!;
  const parent = slot.parent as Record<string | number, Json>;
  const op = rand();
  if (op < 0.3) {
    if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
    else delete parent[slot.key];
  } else if (op < 0.65) parent[slot.key] = randomValue(rand);
  else if (op < 0.72) parent[slot.key] = 'x'.repeat(Math.floor(rand() * 200_000)) + '\ud83d';
  else if (op < 0.8) parent[slot.key] = nested(20 + Math.floor(rand() * 150), rand);
  else if (op < 0.9) {
    if (!Array.isArray(slot.parent)) parent[`k${Math.floor(rand() * 1e6)}`] = randomValue(rand);
  } else parent[slot.key] = Array.from({ length: 2000 }, (_, i) => ({ name: `c${i}`, image: 'x' }));
}

/** Byte-level damage after serialization. */
function mutateBytes(text: string, rand: () => number): Buffer {
  let buf = Buffer.from(text, 'utf8');
  const op = rand();
  if (op < 0.25) {
    const at = Math.floor(rand() * buf.length);
    const bad = [[0xff], [0xc0, 0xaf], [0x80], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]][
      Math.floor(rand() * 6)
    ]!;
    buf = Buffer.concat([buf.subarray(0, at), Buffer.from(bad), buf.subarray(at)]);
  } else if (op < 0.45) buf = buf.subarray(0, Math.floor(rand() * buf.length));
  else if (op < 0.65) {
    for (let i = 0; i < 1 + Math.floor(rand() * 4); i++)
      buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256);
  } else if (op < 0.8) {
    const at = Math.floor(rand() * buf.length);
    const depth = Math.floor(rand() * 20_000);
    buf = Buffer.concat([
      buf.subarray(0, at),
      Buffer.from('['.repeat(depth) + ']'.repeat(depth)),
      buf.subarray(at),
    ]);
  } else {
    const at = Math.floor(rand() * buf.length);
    const junk = ['"__proto__":{"x":1},', ',,', '}', '{', '"', '\\', 'NaN', '1e99999', '\u0000'][
      Math.floor(rand() * 9)
    ]!;
    buf = Buffer.concat([buf.subarray(0, at), Buffer.from(junk), buf.subarray(at)]);
  }
  return buf;
}

function generate(rand: () => number): Buffer {
  const review = BASES[Math.floor(rand() * BASES.length)]!() as Json;
  const mutations = Math.floor(rand() * 4);
  for (let i = 0; i < mutations; i++) mutateTree(review, rand);
  const text = JSON.stringify(review);
  return rand() < 0.35 ? mutateBytes(text, rand) : Buffer.from(text, 'utf8');
}

/** Walks the object like an engine and quotes pieces of it in its messages. */
const walkingEvaluator: Evaluator = {
  errors: [],
  policyCount: 2,
  evaluate(resource: KubeObject): RuleResult[] {
    let nodes = 0;
    const stack: unknown[] = [resource];
    while (stack.length > 0) {
      const n = stack.pop();
      nodes++;
      if (Array.isArray(n)) stack.push(...n);
      else if (n && typeof n === 'object') stack.push(...Object.keys(n), ...Object.values(n));
    }
    const meta = (resource.metadata ?? {}) as Record<string, unknown>;
    const name = typeof meta.name === 'string' ? meta.name : JSON.stringify(meta.name ?? null);
    const id = { apiVersion: String(resource.apiVersion), kind: String(resource.kind), name: String(name) };
    return [
      {
        policy: 'walk',
        rule: 'nodes',
        resource: id,
        status: nodes % 2 ? 'fail' : 'pass',
        failureAction: 'Enforce',
        message: `name ${name} has ${nodes} nodes`,
      },
      {
        policy: 'walk',
        rule: 'audit',
        resource: id,
        status: nodes % 3 ? 'fail' : 'warn',
        failureAction: 'Audit',
        message: String(name),
      },
    ];
  },
};

function fuzzSuite(name: string, makeEvaluator: () => Promise<Evaluator>, skip: string | false): void {
  describe(name, { skip }, () => {
    let server: AdmissionServer;
    let client: Client;
    const errorLogs: string[] = [];
    before(async () => {
      const certs = await generateCertificates({ service: 'rampart-admission', namespace: 'rampart-system' });
      server = createAdmissionServer({
        tls: { cert: certs.cert, key: certs.key },
        evaluator: await makeEvaluator(),
        log: { level: 'error', stream: { write: (l: string) => errorLogs.push(l) } },
      });
      const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
      client = createClient(`https://localhost:${port}`, {
        ca: certs.caCert,
        timeoutMs: MAX_RESPONSE_MS * 2,
      });
    });
    after(async () => {
      client.close();
      await server.close();
    });

    it(
      `answers ${COUNT} mutated reviews with 200 or 400 only, each within ${MAX_RESPONSE_MS} ms`,
      { timeout: 600_000 },
      async (t) => {
        const rand = prng(SEED);
        const statuses = new Map<number, number>();
        let slowest = 0;
        let next = 0;
        const failures: string[] = [];
        const worker = async () => {
          while (next < COUNT) {
            const i = next++;
            const body = generate(rand);
            let r;
            try {
              r = await client.post('/validate', body);
            } catch (err) {
              failures.push(`#${i}: ${err instanceof Error ? err.message : String(err)}`);
              continue;
            }
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
            slowest = Math.max(slowest, r.ms);
            if (r.status !== 200 && r.status !== 400)
              failures.push(`#${i}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
            else if (r.status === 200) {
              const answer = JSON.parse(r.body) as {
                kind: string;
                response: { uid: unknown; allowed: unknown };
              };
              if (
                answer.kind !== 'AdmissionReview' ||
                typeof answer.response.uid !== 'string' ||
                typeof answer.response.allowed !== 'boolean'
              )
                failures.push(`#${i}: malformed answer ${r.body.slice(0, 200)}`);
            } else if (r.body.trimEnd().includes('\n')) failures.push(`#${i}: 400 reason is not one line`);
            if (r.ms > MAX_RESPONSE_MS) failures.push(`#${i}: answered after ${Math.round(r.ms)} ms`);
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        const summary = JSON.stringify(Object.fromEntries(statuses));
        assert.deepEqual(
          failures.slice(0, 20),
          [],
          `statuses ${summary}; server errors: ${errorLogs.slice(0, 5).join('')}`,
        );
        const total = [...statuses.values()].reduce((a, b) => a + b, 0);
        assert.equal(total, COUNT);
        assert.ok((statuses.get(200) ?? 0) > COUNT * 0.2, `enough valid reviews got through: ${summary}`);
        assert.ok((statuses.get(400) ?? 0) > COUNT * 0.1, `enough malformed reviews: ${summary}`);
        // Still alive and counting.
        assert.equal((await client.get('/healthz')).status, 200);
        const metrics = (await client.get('/metrics')).body;
        const decisions = [
          ...metrics.matchAll(/^rampart_admission_requests_total\{decision="([a-z_]+)"\} (\d+)$/gm),
        ];
        const counted = decisions.reduce((a, m) => a + Number(m[2]), 0);
        assert.equal(counted, COUNT);
        t.diagnostic(
          `fuzz: ${COUNT} requests, seed ${SEED}, statuses ${summary}, slowest ${Math.round(slowest)} ms, ` +
            `decisions ${decisions.map((m) => `${m[1]} ${m[2]}`).join(', ')}`,
        );
      },
    );
  });
}

fuzzSuite(
  'fuzz: mutated AdmissionReviews over HTTPS (evaluator walking every object)',
  async () => walkingEvaluator,
  false,
);

const FACADE = fileURLToPath(new URL('../policy/engine/index.ts', import.meta.url));
fuzzSuite(
  'fuzz: mutated AdmissionReviews over HTTPS (real engine, every built-in pack, Enforce)',
  async () => {
    const { docs } = await readPolicyFiles(resolveBuiltinPacks(['all']));
    return engineEvaluatorFactory(await loadEngineFacade())(withFailureAction(docs, 'Enforce'));
  },
  existsSync(FACADE) ? false : 'src/policy/engine/index.ts does not exist yet',
);
