/**
 * In-process cost of one evaluation (the engine part of a review): the bench's four AdmissionReviews
 * against restricted + best-practices in Enforce, evaluated round-robin. Prints µs per evaluation.
 *
 *   node --import tsx bench/admission/engine-profile.ts [--iterations N]
 *   node --cpu-prof --import tsx bench/admission/engine-profile.ts     # with a CPU profile
 */
import { parseArgs } from 'node:util';
import { resolveBuiltinPacks, withFailureAction } from '../../src/admission/builtin-packs.js';
import { readPolicyFiles } from '../../src/admission/policy-files.js';
import { buildRequestContext, parseAdmissionReview, subjectOf } from '../../src/admission/review.js';
import { evaluate, loadPolicies } from '../../src/policy/engine/index.js';
import { benchReviews } from './reviews.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '20000' } } });
const iterations = Number(values.iterations);
const { docs } = await readPolicyFiles(resolveBuiltinPacks(['restricted', 'best-practices']));
const set = loadPolicies(withFailureAction(docs, 'Enforce'));
const inputs = benchReviews().map((r) => {
  const parsed = parseAdmissionReview(JSON.parse(r.body));
  if (!parsed.ok) throw new Error(parsed.reason);
  return { label: r.label, subject: subjectOf(parsed.request)!, ctx: buildRequestContext(parsed.request) };
});
for (let i = 0; i < 2000; i++) {
  const x = inputs[i % inputs.length]!;
  evaluate(set, x.subject, x.ctx);
}
// Best of 5 rounds per input, in CPU time of this process (the machine is shared: wall time
// includes waiting for the CPU); the minimum is the most stable figure.
let total = 0;
for (const x of inputs) {
  const n = Math.max(1, Math.floor(iterations / inputs.length / 5));
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++) evaluate(set, x.subject, x.ctx);
    const used = process.cpuUsage(t0);
    best = Math.min(best, (used.user + used.system) / n);
  }
  total += best;
  console.log(`${x.label.padEnd(26)} ${best.toFixed(1)} µs CPU per evaluation (best of 5 × ${n})`);
}
console.log(`${'mean of the four'.padEnd(26)} ${(total / inputs.length).toFixed(1)} µs`);
