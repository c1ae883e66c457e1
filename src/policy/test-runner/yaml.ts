/** Multi-document YAML for test suites, policies and resources, with hostile-input limits. Never throws. */
import { parseAllDocuments } from 'yaml';
import { exceedsFlowNesting } from '../../core/nesting.js';

export const YAML_LIMITS = {
  maxBytes: 16 * 1024 * 1024,
  maxAliasCount: 100,
  maxDocuments: 10_000,
  maxFlowNesting: 256,
};

export interface YamlDocs {
  docs: unknown[];
  errors: string[];
}

export function parseYamlDocs(text: string): YamlDocs {
  const docs: unknown[] = [];
  const errors: string[] = [];
  if (text.length > YAML_LIMITS.maxBytes)
    return { docs, errors: [`file larger than ${YAML_LIMITS.maxBytes} bytes`] };
  if (exceedsFlowNesting(text, YAML_LIMITS.maxFlowNesting))
    return { docs, errors: [`flow collections nested deeper than ${YAML_LIMITS.maxFlowNesting} levels`] };
  let parsed;
  try {
    parsed = parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false });
  } catch (e) {
    return { docs, errors: [(e as Error).message] };
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  for (const doc of list.slice(0, YAML_LIMITS.maxDocuments)) {
    if (doc.errors.length) {
      errors.push(doc.errors[0]!.message.split('\n')[0]!);
      continue;
    }
    try {
      const value: unknown = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
      if (value !== null && value !== undefined) docs.push(value);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return { docs, errors };
}
