import { PARSE_ERROR_ID, type CheckMeta, type Violation } from '../check.js';
import { DEFAULT_OPTIONS, type MisconfigOptions } from '../options.js';
import { githubActionsChecks as checks } from './checks.js';
import { modelOf } from './model.js';
import { GHA_LIMITS, parseWorkflowYaml } from './parse.js';

export const githubActionsChecks: readonly CheckMeta[] = checks;

const WORKFLOW_PATH = /(?:^|[\\/])\.github[\\/]workflows[\\/](?:[^\\/]+[\\/])*[^\\/]+\.ya?ml$/i;
const ACTION_PATH = /(?:^|[\\/])action\.ya?ml$/i;

/** By path: any YAML under a `.github/workflows/` folder, and `action.yml|yaml` anywhere. */
export function requiredGithubActions(path: string): boolean {
  return WORKFLOW_PATH.test(path) || ACTION_PATH.test(path);
}

/**
 * Cheap test on the text of any other YAML file: top-level `on:` (or `true:`, what a YAML 1.1
 * reader makes of it) and `jobs:` at column 0. For routing a YAML file to these checks rather than
 * to the Kubernetes ones.
 */
export function looksLikeWorkflow(text: string): boolean {
  return /^(?:on|"on"|'on'|true)[ \t]*:/m.test(text) && /^(?:jobs|"jobs"|'jobs')[ \t]*:/m.test(text);
}

/** Top-level `runs:`: an action metadata file. */
export function looksLikeAction(text: string): boolean {
  return /^(?:runs|"runs"|'runs')[ \t]*:/m.test(text);
}

/**
 * Runs every GitHub Actions check over one workflow or action metadata file. Pure. A text that
 * looks like neither (no top-level `on`+`jobs`, no `runs`) gets no finding at all, not even a
 * parse error, so the function is safe to call on any YAML.
 */
export function scanGithubActions(
  text: string,
  _opts: MisconfigOptions = DEFAULT_OPTIONS,
): { violations: Violation[]; skipped?: string } {
  if (!looksLikeWorkflow(text) && !looksLikeAction(text)) return { violations: [] };
  if (text.length > GHA_LIMITS.maxBytes)
    return { violations: [], skipped: `workflow larger than ${GHA_LIMITS.maxBytes} bytes` };
  const parsed = parseWorkflowYaml(text);
  const violations: Violation[] = parsed.errors.map((e) => ({
    checkId: PARSE_ERROR_ID,
    message: `YAML parse error: ${e.message}`,
    startLine: e.line,
    startColumn: e.column,
    subject: `parse:${e.message}`,
  }));
  const model = parsed.doc ? modelOf(parsed.doc) : undefined;
  if (!model) return { violations };
  for (const check of checks) {
    for (const h of check.run(model)) {
      violations.push({
        checkId: check.id,
        message: h.message,
        startLine: h.line,
        endLine: h.endLine ?? h.line,
        ...(h.column !== undefined ? { startColumn: h.column } : {}),
        subject: h.subject,
      });
    }
  }
  return { violations };
}
