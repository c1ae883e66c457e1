import { PARSE_ERROR_ID, type Violation } from '../check.js';
import { dockerfileChecks, keyValues, type DockerfileModel } from './checks.js';
import { DOCKERFILE_LIMITS, parseDockerfile } from './parse.js';
import { DEFAULT_OPTIONS, type MisconfigOptions } from '../options.js';

/** `Dockerfile`, `Dockerfile.prod`, `prod.dockerfile`, `.Dockerfile`, `Containerfile`… */
const NAME = /(?:^|\/)(?:[^/]*\.)?(?:dockerfile|containerfile)(?:\.[^/]*)?$/i;

export function requiredDockerfile(path: string): boolean {
  return NAME.test(path) && !/\.(?:ya?ml|json|md|txt|sh|ps1|ts|js|go|py)$/i.test(path);
}

/** Runs every Dockerfile check over one file. Pure. */
export function scanDockerfile(
  text: string,
  opts: MisconfigOptions = DEFAULT_OPTIONS,
): { violations: Violation[]; skipped?: string } {
  if (text.length > DOCKERFILE_LIMITS.maxBytes)
    return { violations: [], skipped: `Dockerfile larger than ${DOCKERFILE_LIMITS.maxBytes} bytes` };
  const parsed = parseDockerfile(text);
  const violations: Violation[] = parsed.errors.map((e) => ({
    checkId: PARSE_ERROR_ID,
    message: `Dockerfile parse error: ${e.message}`,
    startLine: e.line,
    subject: `parse:${e.message}`,
  }));
  // A file that is not a Dockerfile at all (no instruction recognised) gets only its parse errors.
  if (parsed.stages.length === 0) return { violations };
  const globalArgs = new Map<string, string>();
  for (const ins of parsed.instructions) {
    if (ins.stage >= 0) break;
    if (ins.keyword === 'ARG')
      for (const [k, v] of keyValues(ins.args.includes('=') ? ins.args : `${ins.args}=`))
        globalArgs.set(k, v);
  }
  const model: DockerfileModel = { ...parsed, globalArgs };
  for (const check of dockerfileChecks) {
    for (const h of check.run(model, opts)) {
      violations.push({
        checkId: check.id,
        message: h.message,
        startLine: h.line,
        endLine: h.endLine ?? h.line,
        subject: h.subject,
      });
    }
  }
  return { violations };
}
