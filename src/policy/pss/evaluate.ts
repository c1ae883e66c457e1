import { ALL_CHECKS } from './registry.js';
import type { PodView, PssCheckResult, PssLevel } from './types.js';

/** A parsed `level` + `version` pair; `minor` undefined means `latest`. */
export interface LevelVersion {
  level: PssLevel;
  minor: number | undefined;
}

export interface CheckOutcome {
  id: string;
  result: PssCheckResult;
}

const VERSION_PATTERN = /^v1\.(0|[1-9][0-9]{0,3})$/;

/** `latest` (or empty) → undefined; `v1.N` → N; anything else → an error message. */
export function parseVersion(version: unknown): { minor: number | undefined } | { error: string } {
  if (version === undefined || version === null || version === '' || version === 'latest') {
    return { minor: undefined };
  }
  const match = typeof version === 'string' ? VERSION_PATTERN.exec(version) : null;
  if (!match?.[1])
    return { error: `failed to parse pod security api version: invalid version "${String(version)}"` };
  return { minor: Number(match[1]) };
}

export function parseLevel(level: unknown): PssLevel | undefined {
  return level === 'baseline' || level === 'restricted' || level === 'privileged' ? level : undefined;
}

/**
 * Runs the checks of a level the way Kyverno's `evaluatePSS` does: with `latest`, the newest
 * implementation of each check once; with a pinned `v1.N`, every implementation whose minimum
 * version is ≤ N (so a check can report more than once). `privileged` runs nothing.
 */
export function runChecks(levelVersion: LevelVersion, pod: PodView): CheckOutcome[] {
  if (levelVersion.level === 'privileged') return [];
  const outcomes: CheckOutcome[] = [];
  for (const check of ALL_CHECKS) {
    if (levelVersion.level === 'baseline' && check.level !== 'baseline') continue;
    const applicable =
      levelVersion.minor === undefined
        ? check.versions.slice(-1)
        : check.versions.filter((version) => version.minimumMinor <= (levelVersion.minor ?? 0));
    for (const versioned of applicable) {
      const result = versioned.check(pod);
      if (!result.allowed) outcomes.push({ id: check.id, result });
    }
  }
  return outcomes;
}
