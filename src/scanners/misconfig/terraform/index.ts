import type { Finding } from '../../../core/finding.js';
import { inlineSuppression } from '../../../suppress/inline.js';
import { violationsToFindings, type CheckMeta, type Violation } from '../check.js';
import { evaluateTree, isTfvars, type TerraformResult } from './collector.js';
import { HCL_LIMITS } from './hcl.js';

export { TerraformCollector, type CollectedTerraform } from './collector.js';

/** `.tf` files and the root-module variable files Terraform loads itself. */
export function requiredTerraform(path: string): boolean {
  return /\.tf$/i.test(path) || isTfvars(path);
}

/**
 * Checks one `.tf` text as a module of its own (tests, single files). Pure. The scanner itself
 * collects every file and evaluates whole modules in finalize (see collector.ts).
 */
export function scanTerraform(text: string, path = 'main.tf'): { violations: Violation[]; skipped?: string } {
  if (text.length > HCL_LIMITS.maxBytes)
    return { violations: [], skipped: `Terraform file larger than ${HCL_LIMITS.maxBytes} bytes` };
  const results = evaluateTree(new Map([[path, text]]), () => {});
  return { violations: results.flatMap((r) => r.violations) };
}

/**
 * Findings of evaluated modules. They are produced in finalize(), after the pipeline applied inline
 * suppressions file by file, so `# rampart:ignore` comments are applied here from the file text.
 */
export function terraformFindings(
  results: readonly TerraformResult[],
  metaById: ReadonlyMap<string, CheckMeta>,
): Finding[] {
  return results.flatMap((r) => {
    const lines = r.text.split('\n');
    return violationsToFindings(r.violations, metaById, r.path, ['terraform']).map((f) => {
      const s = inlineSuppression(f, (n) => lines[n - 1]);
      return s ? { ...f, suppressed: s } : f;
    });
  });
}
