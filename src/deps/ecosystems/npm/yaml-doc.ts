import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { exceedsFlowNesting } from '../../../core/nesting.js';

/**
 * A YAML lockfile (pnpm-lock.yaml, Yarn berry yarn.lock) read into plain values, with the line
 * of each key of the top-level sections. All scalars stay strings (failsafe schema): versions
 * such as `1.10` must not turn into numbers. Aliases are capped (billion-laughs input).
 */
export interface YamlLockfile {
  value: unknown;
  /** Key → 1-based line, for the keys of the top-level map `section` ('' for the top level itself). */
  keyLines(section: string): Map<string, number>;
}

export interface YamlProblem {
  line?: number;
  message: string;
}

const MAX_ALIASES = 20;
/** Lockfiles nest flow collections a few levels at most. */
const MAX_FLOW_NESTING = 256;

export function readYaml(
  text: string,
): { ok: true; yaml: YamlLockfile } | { ok: false; problems: YamlProblem[] } {
  if (exceedsFlowNesting(text, MAX_FLOW_NESTING))
    return {
      ok: false,
      problems: [{ message: `invalid YAML: flow collections nested deeper than ${MAX_FLOW_NESTING} levels` }],
    };
  const lineCounter = new LineCounter();
  let value: unknown;
  try {
    const doc = parseDocument(text, {
      lineCounter,
      schema: 'failsafe',
      uniqueKeys: true,
      // prettyErrors must stay off: on deeply nested hostile input (`{"a":` × 5000) its context
      // rendering exhausts V8's regexp compiler and aborts the process. Lines come from the offsets.
      prettyErrors: false,
    });
    if (doc.errors.length > 0) {
      return {
        ok: false,
        problems: doc.errors.slice(0, 5).map((e) => ({
          line: lineCounter.linePos(e.pos[0]).line,
          message: `invalid YAML: ${(e.message.split('\n')[0] ?? e.code).replace(/ at line \d+, column \d+:?$/, '')}`,
        })),
      };
    }
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    const keyLines = (section: string): Map<string, number> => {
      const out = new Map<string, number>();
      const node = section === '' ? doc.contents : doc.get(section, true);
      if (!isMap(node)) return out;
      for (const pair of node.items) {
        if (isScalar(pair.key) && pair.key.range) {
          out.set(String(pair.key.value), lineCounter.linePos(pair.key.range[0]).line);
        }
      }
      return out;
    };
    return { ok: true, yaml: { value, keyLines } };
  } catch (e) {
    // toJS throws on excessive aliases ("Excessive alias count indicates a resource exhaustion attack").
    return {
      ok: false,
      problems: [{ message: `unreadable YAML: ${e instanceof Error ? e.message : String(e)}` }],
    };
  }
}
