import { PARSE_ERROR_ID, type Violation } from '../check.js';
import { isRecord, parseYamlDocuments, type ParsedDocument } from '../kubernetes/parse.js';
import { DEFAULT_OPTIONS, type MisconfigOptions } from '../options.js';
import { azurePipelinesChecks, type AdoHit } from './checks.js';
import { ADO_LIMITS, buildModel, neutraliseHandlebars } from './model.js';

export { azurePipelinesChecks } from './checks.js';

/** `azure-pipelines.yml`, `.azure-pipelines.yml`, `azure-pipelines-ci.yml`, `build.azure-pipelines.yml`. */
const NAMED = /(?:^|\/)(?:\.?azure-pipelines(?:[-.][^/]*)?|[^/]+\.azure-pipelines)\.ya?ml$/i;
/** YAML under the folders where Azure Pipelines files are conventionally kept. */
const FOLDER =
  /(?:^|\/)(?:\.azure-pipelines|azure-pipelines|\.azuredevops|\.pipelines|pipelines)\/(?:[^/]+\/)*[^/]+\.ya?ml$/i;

/**
 * Path prefilter: files named or placed like Azure Pipelines. Other YAML (e.g. starter templates kept
 * as `templates/*.yml`) is recognised by content with looksLikeAzurePipeline().
 */
export function requiredAzurePipelines(path: string): boolean {
  return NAMED.test(path) || FOLDER.test(path);
}

/** Azure-style step or job list items. */
const ADO_ITEM =
  /^[ \t]*-[ \t]+(?:task|script|bash|pwsh|powershell|checkout|job|deployment|stage|downloadBuild|getPackage|reviewApp)[ \t]*:/m;
/** Top-level keys of a pipeline or a stage/job/step template. */
const ADO_BODY = /^(?:stages|jobs|steps|extends)[ \t]*:/m;
/** Top-level keys only Azure Pipelines has (GitLab CI, Cloud Build, Drone… have none of them). */
const ADO_TOP = /^(?:trigger|pr|pool|schedules|extends|lockBehavior|appendCommitMessageToRunName)[ \t]*:/m;

/** Cheap text test: does this YAML look like an Azure Pipeline (or a pipeline or variable template)? */
export function looksLikeAzurePipeline(text: string): boolean {
  // GitHub Actions workflow: `on:` and jobs with `runs-on`.
  if (/^["']?on["']?[ \t]*:/m.test(text) && /^[ \t]+runs-on[ \t]*:/m.test(text)) return false;
  // Concourse pipeline: jobs with a `plan` of get/put/task steps.
  if (/^[ \t]+plan[ \t]*:/m.test(text) && /^[ \t]*-[ \t]+(?:get|put)[ \t]*:/m.test(text)) return false;
  if (ADO_BODY.test(text)) return ADO_ITEM.test(text) || ADO_TOP.test(text);
  // Variable template: nothing at the top level but `parameters` and `variables`.
  const top = [...text.matchAll(/^([^\s#:-][^:\n]*?)[ \t]*:/gm)].map((m) =>
    m[1]!.replace(/^["']|["']$/g, ''),
  );
  return top.includes('variables') && top.every((k) => k === 'variables' || k === 'parameters');
}

export interface AzurePipelinesScanResult {
  violations: Violation[];
  /** Why the file was not checked, when it was not. */
  skipped?: string;
}

/** Runs every Azure Pipelines check over one file. Pure. */
export function scanAzurePipelines(
  text: string,
  opts: MisconfigOptions = DEFAULT_OPTIONS,
): AzurePipelinesScanResult {
  if (!looksLikeAzurePipeline(text)) return { violations: [] };
  if (text.length > ADO_LIMITS.maxBytes)
    return { violations: [], skipped: `pipeline larger than ${ADO_LIMITS.maxBytes} bytes` };
  const source = neutraliseHandlebars(text);
  const parsed = parseYamlDocuments(source);
  const violations: Violation[] = parsed.errors.map((e) => ({
    checkId: PARSE_ERROR_ID,
    message: `YAML parse error: ${e.message}`,
    startLine: e.line,
    startColumn: e.column,
    subject: `parse:${e.message}`,
  }));
  const lines = source.split('\n');
  for (const doc of parsed.documents) {
    if (!isRecord(doc.value)) continue;
    const model = buildModel(doc.value);
    for (const check of azurePipelinesChecks)
      for (const h of check.run(model, opts)) violations.push(toViolation(check.id, h, doc, lines));
  }
  return { violations };
}

function toViolation(checkId: string, h: AdoHit, doc: ParsedDocument, lines: readonly string[]): Violation {
  const p = doc.pos(h.path);
  const v: Violation = {
    checkId,
    message: h.message,
    startLine: p.line,
    endLine: p.endLine,
    startColumn: p.column,
    subject: h.subject,
  };
  if (h.needle) {
    // Point at the line of a multi-line script that holds the offending text.
    const needle = squash(h.needle);
    for (let n = p.line; n <= p.endLine; n++) {
      const text = lines[n - 1];
      if (text !== undefined && squash(text).includes(needle)) {
        const col = text.indexOf(h.needle.trim().split(/\s/)[0] ?? '');
        return { ...v, startLine: n, endLine: n, ...(col >= 0 ? { startColumn: col + 1 } : {}) };
      }
    }
  }
  return v;
}

const squash = (s: string) => s.replace(/\s+/g, ' ');
