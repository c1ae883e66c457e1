import { PARSE_ERROR_ID, type Violation } from '../check.js';
import { terraformChecks, type Resource } from './checks.js';
import { HCL_LIMITS, HclExpr, HclSyntaxError, parseHcl, type HclBlock, type HclValue } from './hcl.js';

export function requiredTerraform(path: string): boolean {
  return /\.tf$/i.test(path);
}

/**
 * Runs every Terraform check over the resources of one `.tf` file. Pure. `var.x` and `local.y`
 * references to literal defaults declared in the same file are resolved; anything else stays an
 * unresolved expression, which checks treat as unknown (not guessed).
 */
export function scanTerraform(text: string): { violations: Violation[]; skipped?: string } {
  if (text.length > HCL_LIMITS.maxBytes)
    return { violations: [], skipped: `Terraform file larger than ${HCL_LIMITS.maxBytes} bytes` };
  let blocks;
  try {
    blocks = parseHcl(text);
  } catch (err) {
    if (!(err instanceof HclSyntaxError)) throw err;
    return {
      violations: [
        {
          checkId: PARSE_ERROR_ID,
          message: `HCL parse error: ${err.message}`,
          startLine: err.line,
          subject: `parse:${err.message}`,
        },
      ],
    };
  }
  const known = literalBindings(blocks);
  for (const b of blocks) resolve(b, known);
  const violations: Violation[] = [];
  for (const b of blocks) {
    if (b.type !== 'resource' || b.labels.length < 2) continue;
    const r: Resource = { type: b.labels[0]!, name: b.labels[1]!, block: b };
    for (const check of terraformChecks) {
      if (!check.resources.includes(r.type)) continue;
      for (const h of check.run(r)) {
        violations.push({
          checkId: check.id,
          message: h.message,
          startLine: h.line,
          endLine: h.line === b.line ? b.endLine : h.line,
          subject: h.subject,
          resource: { kind: r.type, name: r.name },
        });
      }
    }
  }
  return { violations };
}

function isLiteral(v: HclValue): boolean {
  if (v instanceof HclExpr) return false;
  if (Array.isArray(v)) return v.every(isLiteral);
  if (v && typeof v === 'object') return Object.values(v).every(isLiteral);
  return true;
}

/** `var.x` → literal default of `variable "x"`; `local.y` → literal value in `locals`. Same file only. */
export function literalBindings(blocks: readonly HclBlock[]): Map<string, HclValue> {
  const out = new Map<string, HclValue>();
  for (const b of blocks) {
    if (b.type === 'variable' && b.labels[0] && b.attributes.default && isLiteral(b.attributes.default.value))
      out.set(`var.${b.labels[0]}`, b.attributes.default.value);
    if (b.type === 'locals')
      for (const [k, a] of Object.entries(b.attributes))
        if (isLiteral(a.value)) out.set(`local.${k}`, a.value);
  }
  return out;
}

function resolve(block: HclBlock, known: ReadonlyMap<string, HclValue>): void {
  const sub = (v: HclValue): HclValue => {
    if (v instanceof HclExpr) return known.has(v.raw) ? known.get(v.raw)! : v;
    if (Array.isArray(v)) return v.map(sub);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sub(x)]));
    return v;
  };
  for (const a of Object.values(block.attributes)) a.value = sub(a.value);
  for (const b of block.blocks) resolve(b, known);
}
