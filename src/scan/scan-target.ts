import type { Finding } from '../core/finding.js';
import type { Scanner, ScanContext, ScanTarget } from '../core/scanner.js';
import { inlineSuppression } from '../suppress/inline.js';

export interface TargetResult {
  findings: Finding[];
  /** Names of scanners that ran out of the per-file time budget on this target. */
  timedOut: string[];
}

/**
 * Runs every scanner that wants `target` on it, within the per-file time budget, and applies inline
 * `rampart:ignore` comments. Never throws: a scanner failure becomes a warning. Used on the main
 * thread and in scan workers alike.
 */
export function scanTarget(
  scanners: readonly Scanner[],
  target: ScanTarget,
  fileTimeout: number,
  warn: (message: string) => void,
): TargetResult {
  const findings: Finding[] = [];
  const timedOut: string[] = [];
  const lineAt = lazyLines(target);
  for (const scanner of scanners) {
    if (!scanner.required(target.path)) continue;
    const ctx: ScanContext = { warn, deadline: Date.now() + fileTimeout };
    let found: Finding[];
    try {
      found = scanner.scan(target, ctx);
    } catch (err) {
      warn(`${target.path}: ${scanner.kind} scanner failed: ${(err as Error).message}`);
      continue;
    }
    if (Date.now() > ctx.deadline) timedOut.push(scanner.kind);
    for (const f of found) {
      const s = inlineSuppression(f, lineAt);
      findings.push(s ? { ...f, suppressed: s } : f);
    }
  }
  return { findings, timedOut };
}

/**
 * Line accessor for inline suppressions: real line number → text (handles diff excerpts). Only the
 * requested lines are decoded; newline offsets are found once, natively.
 */
function lazyLines(target: ScanTarget): (line: number) => string | undefined {
  const bytes = target.content;
  let starts: number[] | undefined;
  let index: Map<number, number> | undefined;
  const contentLine = (i: number): string | undefined => {
    if (!starts) {
      starts = [0];
      for (let p = bytes.indexOf(0x0a); p !== -1; p = bytes.indexOf(0x0a, p + 1)) starts.push(p + 1);
    }
    if (i < 0 || i >= starts.length) return undefined;
    const end = i + 1 < starts.length ? starts[i + 1]! - 1 : bytes.length;
    return bytes.toString('utf8', starts[i]!, end);
  };
  return (line) => {
    if (!target.lineMap) return contentLine(line - 1);
    if (!index) {
      index = new Map();
      target.lineMap.forEach((real, i) => index!.set(real, i));
    }
    const i = index.get(line);
    return i === undefined ? undefined : contentLine(i);
  };
}
