import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { readLiveGeneration } from './open.js';
import { defaultDbDir } from './paths.js';
import type { DbMeta } from './store.js';

export interface DbStatus extends DbMeta {
  dir: string;
  generation: string;
  /** Days since `updatedAt` (fractional). */
  ageDays: number;
  totalRecords: number;
  /** Bytes on disk of the live generation. */
  sizeBytes: number;
}

/** Metadata of the live database plus its age, or undefined when there is none. */
export function status(dir: string = defaultDbDir(), now: Date = new Date()): DbStatus | undefined {
  const live = readLiveGeneration(dir);
  if (!live) return undefined;
  const genDir = path.join(dir, live.generation);
  let sizeBytes = 0;
  try {
    for (const name of readdirSync(genDir)) sizeBytes += statSync(path.join(genDir, name)).size;
  } catch {
    // replaced meanwhile: size unknown
  }
  const updated = Date.parse(live.meta.updatedAt);
  return {
    ...live.meta,
    dir,
    generation: live.generation,
    ageDays: Number.isFinite(updated)
      ? Math.max(0, (now.getTime() - updated) / 86_400_000)
      : Number.POSITIVE_INFINITY,
    totalRecords: Object.values(live.meta.ecosystems).reduce((n, e) => n + (e.records ?? 0), 0),
    sizeBytes,
  };
}
