import { PARSE_ERROR_ID, type Violation } from '../check.js';
import { kubernetesChecks } from './checks.js';
import { emptyFacts, factsOf, type ClusterFacts } from './cluster.js';
import { DEFAULT_OPTIONS, type MisconfigOptions } from '../options.js';
import { parseYamlDocuments, YAML_LIMITS, type ParsedDocument, type Path } from './parse.js';
import { objectsOf, podTemplateOf } from './workload.js';

const YAML_EXT = /\.(?:ya?ml|json)$/i;

/** Cheap path prefilter: YAML and JSON files may be manifests. */
export function requiredKubernetes(path: string): boolean {
  return YAML_EXT.test(path);
}

/** Is this text worth parsing as Kubernetes (it names an apiVersion and a kind)? */
export function looksLikeKubernetes(text: string): boolean {
  return /(?:^|[\s{,])["']?apiVersion["']?\s*:/m.test(text) && /(?:^|[\s{,])["']?kind["']?\s*:/m.test(text);
}

/** A Go template (Helm chart source) is not YAML until rendered. */
export function isTemplate(text: string): boolean {
  return text.includes('{{');
}

export interface KubernetesScanResult {
  violations: Violation[];
  /** Why the file was not checked, when it was not. */
  skipped?: string;
  /** Facts for the checks across files (workload paths are left empty: the caller knows the file). */
  facts?: ClusterFacts;
}

/** Runs every Kubernetes check over one manifest file (multi-document YAML or JSON). Pure. */
export function scanKubernetes(text: string, opts: MisconfigOptions = DEFAULT_OPTIONS): KubernetesScanResult {
  if (!looksLikeKubernetes(text)) return { violations: [] };
  // Helm chart sources are Go templates, not YAML, until rendered: not checked here.
  if (isTemplate(text)) return { violations: [] };
  if (text.length > YAML_LIMITS.maxBytes)
    return { violations: [], skipped: `manifest larger than ${YAML_LIMITS.maxBytes} bytes` };
  const parsed = parseYamlDocuments(text);
  const violations: Violation[] = parsed.errors.map((e) => ({
    checkId: PARSE_ERROR_ID,
    message: `YAML parse error: ${e.message}`,
    startLine: e.line,
    startColumn: e.column,
    subject: `parse:${e.message}`,
  }));
  const facts = emptyFacts();
  for (const doc of parsed.documents) {
    violations.push(...checkDocument(doc, opts));
    factsOf(doc, '', facts);
  }
  return { violations, facts };
}

function checkDocument(doc: ParsedDocument, opts: MisconfigOptions): Violation[] {
  const out: Violation[] = [];
  const at = (path: Path) => doc.pos(path);
  for (const obj of objectsOf(doc.value)) {
    const pod = podTemplateOf(obj);
    const resource = {
      kind: obj.kind,
      name: obj.name,
      ...(obj.namespace !== undefined ? { namespace: obj.namespace } : {}),
    };
    const objectKey = `${obj.kind}/${obj.namespace ?? ''}/${obj.name}`;
    for (const check of kubernetesChecks) {
      const hits = [
        ...(pod && check.pod ? check.pod(pod, opts) : []),
        ...(check.object ? check.object(obj, opts) : []),
      ];
      for (const h of hits) {
        const p = at(h.path);
        out.push({
          checkId: check.id,
          message: h.message,
          startLine: p.line,
          endLine: p.endLine,
          startColumn: p.column,
          subject: `${objectKey}/${h.subject}`,
          resource,
        });
      }
    }
  }
  return out;
}
