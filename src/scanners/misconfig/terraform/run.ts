import type { Violation } from '../check.js';
import { terraformChecks } from './checks.js';
import type { Resource } from './helpers.js';
import type { EvaluatedResource } from './module.js';

/** Runs every Terraform check over the evaluated resources of one module instance. Pure. */
export function checkResources(
  resources: readonly EvaluatedResource[],
): { path: string; violation: Violation }[] {
  const all: (Resource & { path: string })[] = resources.map((r) => ({ ...r }));
  for (const r of all) r.others = all;
  const out: { path: string; violation: Violation }[] = [];
  for (const r of all)
    for (const check of terraformChecks) {
      if (!check.resources.includes(r.type)) continue;
      for (const h of check.run(r))
        out.push({
          path: r.path,
          violation: {
            checkId: check.id,
            message: h.message,
            startLine: h.line,
            endLine: h.line === r.block.line ? r.block.endLine : h.line,
            subject: h.subject,
            resource: { kind: r.type, name: r.name },
          },
        });
    }
  return out;
}
