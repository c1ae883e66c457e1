import parse from 'spdx-expression-parse';

/** Licence policy from configuration: SPDX ids (or LicenseRef-…) that are allowed / denied. */
export interface LicensePolicy {
  allow: readonly string[];
  deny: readonly string[];
}

export type LicenseVerdict =
  | { kind: 'ok' }
  /** Every way of satisfying the licence uses a denied id. */
  | { kind: 'denied'; ids: string[] }
  /** An allow list exists and no way of satisfying the licence stays inside it. */
  | { kind: 'not-allowed'; ids: string[] };

type Node = { license?: string; conjunction?: 'and' | 'or'; left?: Node; right?: Node };

function leaves(n: Node, out: string[] = []): string[] {
  if (n.license) out.push(n.license);
  if (n.left) leaves(n.left, out);
  if (n.right) leaves(n.right, out);
  return out;
}

/** Whether the expression can be satisfied using only ids that pass `ok` (OR: any side, AND: both). */
function satisfiable(n: Node, ok: (id: string) => boolean): boolean {
  if (n.license) return ok(n.license);
  const l = n.left ? satisfiable(n.left, ok) : true;
  const r = n.right ? satisfiable(n.right, ok) : true;
  return n.conjunction === 'or' ? l || r : l && r;
}

function tree(expression: string): Node {
  try {
    return parse(expression) as Node;
  } catch {
    return { license: expression };
  }
}

/**
 * Judges a component's licences against the policy. Several entries (a `licenses` array) are
 * alternatives, as npm and Composer use them: the component passes when one alternative passes.
 * No licence information: always ok (nothing to judge; the SBOM shows it as unknown).
 */
export function judgeLicenses(
  expressions: readonly string[] | undefined,
  policy: LicensePolicy,
): LicenseVerdict {
  if (!expressions?.length || (!policy.allow.length && !policy.deny.length)) return { kind: 'ok' };
  const deny = new Set(policy.deny.map((x) => x.toLowerCase()));
  const allow = new Set(policy.allow.map((x) => x.toLowerCase()));
  const nodes = expressions.map(tree);
  const notDenied = (id: string) => !deny.has(id.toLowerCase());
  const allowed = (id: string) => notDenied(id) && (!allow.size || allow.has(id.toLowerCase()));
  const ids = [...new Set(nodes.flatMap((n) => leaves(n)))];
  if (!nodes.some((n) => satisfiable(n, notDenied)))
    return { kind: 'denied', ids: ids.filter((i) => !notDenied(i)) };
  if (!nodes.some((n) => satisfiable(n, allowed))) return { kind: 'not-allowed', ids };
  return { kind: 'ok' };
}
