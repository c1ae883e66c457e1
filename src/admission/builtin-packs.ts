/**
 * The built-in policy packs shipped as Kyverno YAML in `policies/` at the package root. `restricted`
 * includes `baseline`, as the Pod Security Standards define it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FailureAction } from '../policy/engine/types.js';

export const BUILTIN_PACKS: Readonly<Record<string, readonly string[]>> = {
  baseline: ['pod-security-baseline.yaml'],
  restricted: ['pod-security-baseline.yaml', 'pod-security-restricted.yaml'],
  'best-practices': ['best-practices.yaml'],
  'trusted-registries': ['trusted-registries.yaml'],
  'external-ips': ['external-ips.yaml'],
  'require-signed-images': ['require-signed-images.yaml'],
};

export const BUILTIN_PACK_NAMES = Object.keys(BUILTIN_PACKS);

/**
 * What `all` means: every pack that works as shipped. `require-signed-images` is left out: it needs
 * your public key (its placeholder key verifies nothing, so in Enforce it would deny every pod).
 */
export const ALL_PACK_NAMES = BUILTIN_PACK_NAMES.filter((n) => n !== 'require-signed-images');

/** `policies/` next to `src/` (from source) or `dist/` (installed package). */
export function builtinPoliciesDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'policies');
    if (existsSync(path.join(candidate, 'pod-security-baseline.yaml'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('the built-in policy folder (policies/) is missing from this installation');
}

/** Pack names (comma lists allowed, `all` for every pack) → policy files, de-duplicated, in order. */
export function resolveBuiltinPacks(names: readonly string[], dir = builtinPoliciesDir()): string[] {
  const wanted = names
    .flatMap((n) => n.split(','))
    .map((n) => n.trim())
    .filter(Boolean);
  const files: string[] = [];
  for (const name of wanted) {
    const packs = name === 'all' ? ALL_PACK_NAMES : [name];
    for (const pack of packs) {
      const list = BUILTIN_PACKS[pack];
      if (!list)
        throw new Error(
          `unknown built-in pack "${name}" (known: ${[...BUILTIN_PACK_NAMES, 'all'].join(', ')})`,
        );
      for (const f of list) if (!files.includes(path.join(dir, f))) files.push(path.join(dir, f));
    }
  }
  return files;
}

/**
 * Sets the failure action of Kyverno policy documents (`spec.validationFailureAction` and any
 * rule-level `validate.failureAction` / `verifyImages[].failureAction`), e.g. to run the Audit-by-default packs in Enforce. Returns
 * copies; other documents are returned unchanged.
 */
export function withFailureAction(docs: readonly unknown[], action: FailureAction): unknown[] {
  return docs.map((doc) => {
    if (typeof doc !== 'object' || doc === null) return doc;
    const d = doc as Record<string, unknown>;
    if (typeof d.apiVersion !== 'string' || !d.apiVersion.startsWith('kyverno.io/')) return doc;
    const spec = typeof d.spec === 'object' && d.spec !== null ? (d.spec as Record<string, unknown>) : {};
    const rules = Array.isArray(spec.rules)
      ? spec.rules.map((rule: unknown) => {
          if (typeof rule !== 'object' || rule === null) return rule;
          const r = rule as Record<string, unknown>;
          if (Array.isArray(r.verifyImages))
            return {
              ...r,
              verifyImages: r.verifyImages.map((iv: unknown) =>
                typeof iv === 'object' && iv !== null && 'failureAction' in iv
                  ? { ...(iv as Record<string, unknown>), failureAction: action }
                  : iv,
              ),
            };
          const validate = r.validate;
          if (typeof validate !== 'object' || validate === null || !('failureAction' in validate))
            return rule;
          return { ...r, validate: { ...(validate as Record<string, unknown>), failureAction: action } };
        })
      : spec.rules;
    return {
      ...d,
      spec: { ...spec, validationFailureAction: action, ...(rules !== undefined ? { rules } : {}) },
    };
  });
}
