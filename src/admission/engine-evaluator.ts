/**
 * Production wiring: the policy engine facade (src/policy/engine/index.ts) as an Evaluator. The
 * facade is imported lazily by URL so the webhook (and its tests) build before the engine exists;
 * a missing engine is reported with a clear message instead of a module-resolution stack.
 */
import type {
  ImageVerifier,
  KubeObject,
  LoadedPolicy,
  PolicyLoadError,
  RequestContext,
  RuleResult,
} from '../policy/engine/types.js';
import type { Evaluator, EvaluatorFactory } from './types.js';

export interface PolicySetLike {
  policies: LoadedPolicy[];
  errors: PolicyLoadError[];
}

/** The facade's shape (src/policy/engine/index.ts). */
export interface EngineFacade {
  loadPolicies(docs: unknown[]): PolicySetLike;
  evaluate(set: PolicySetLike, resource: KubeObject, ctx: RequestContext): RuleResult[];
  /** verifyImages support (optional so that stand-in engines stay small). */
  needsImageVerifier?(set: PolicySetLike): boolean;
  evaluateWithImageVerifier?(
    set: PolicySetLike,
    resource: KubeObject,
    ctx: RequestContext,
    verifier: ImageVerifier,
    options: { lookupTimeoutMs?: number },
  ): Promise<RuleResult[]>;
}

export interface ImageVerification {
  verifier: ImageVerifier;
  /** The engine's own bound on one lookup (the verifier should answer sooner). */
  lookupTimeoutMs?: number;
}

export const ENGINE_MODULE_URL = new URL('../policy/engine/index.js', import.meta.url);

export class EngineUnavailableError extends Error {}

/** Imports the facade (or a stand-in module with the same exports, for tests). */
export async function loadEngineFacade(moduleUrl: URL | string = ENGINE_MODULE_URL): Promise<EngineFacade> {
  const href = typeof moduleUrl === 'string' ? moduleUrl : moduleUrl.href;
  let mod: Partial<EngineFacade>;
  try {
    mod = (await import(href)) as Partial<EngineFacade>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes('policy/engine/index'))
      throw new EngineUnavailableError(
        'the policy engine is not available: src/policy/engine/index.ts (built to dist/policy/engine/index.js) is missing',
      );
    throw err;
  }
  if (typeof mod.loadPolicies !== 'function' || typeof mod.evaluate !== 'function')
    throw new EngineUnavailableError(
      `the policy engine module ${href} does not export loadPolicies and evaluate`,
    );
  return {
    loadPolicies: mod.loadPolicies.bind(mod),
    evaluate: mod.evaluate.bind(mod),
    ...(typeof mod.needsImageVerifier === 'function' && typeof mod.evaluateWithImageVerifier === 'function'
      ? {
          needsImageVerifier: mod.needsImageVerifier.bind(mod),
          evaluateWithImageVerifier: mod.evaluateWithImageVerifier.bind(mod),
        }
      : {}),
  };
}

/**
 * The evaluate function for one policy set: through the image verifier when the set has verifyImages
 * rules and a verifier is given, the plain synchronous evaluation otherwise.
 */
export function evaluatorFor(
  engine: EngineFacade,
  set: PolicySetLike,
  images?: ImageVerification,
): (resource: KubeObject, ctx: RequestContext) => RuleResult[] | Promise<RuleResult[]> {
  const withImages = engine.evaluateWithImageVerifier;
  if (images && withImages && engine.needsImageVerifier?.(set)) {
    const options = images.lookupTimeoutMs !== undefined ? { lookupTimeoutMs: images.lookupTimeoutMs } : {};
    return (resource, ctx) => withImages(set, resource, ctx, images.verifier, options);
  }
  return (resource, ctx) => engine.evaluate(set, resource, ctx);
}

/** Declared rules of the loaded policies (Kyverno rules, ValidatingPolicy/VAP validations). */
export function countRules(policies: readonly LoadedPolicy[]): number {
  let n = 0;
  for (const p of policies) {
    const spec = (p.source as { spec?: { rules?: unknown; validations?: unknown } }).spec;
    if (Array.isArray(spec?.rules)) n += spec.rules.length;
    else if (Array.isArray(spec?.validations)) n += spec.validations.length;
  }
  return n;
}

/** Builds evaluators on the facade: one immutable policy set per evaluator. */
export function engineEvaluatorFactory(engine: EngineFacade, images?: ImageVerification): EvaluatorFactory {
  return (docs: unknown[]): Evaluator => {
    const set = engine.loadPolicies(docs);
    return {
      evaluate: evaluatorFor(engine, set, images),
      errors: set.errors,
      policyCount: set.policies.length,
      ruleCount: countRules(set.policies),
    };
  };
}
