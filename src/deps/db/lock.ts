import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { AdvisoryDbError } from './errors.js';

export const LOCK_FILE = 'update.lock';

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

/** A lock whose holder is gone: a dead process on this host, or an unreadable file older than a minute. */
function isStale(file: string, info: LockInfo | undefined): boolean {
  if (!info) {
    try {
      return Date.now() - statSync(file).mtimeMs > 60_000;
    } catch {
      return true;
    }
  }
  if (info.host !== hostname()) return Date.now() - Date.parse(info.startedAt) > 6 * 3600_000;
  try {
    process.kill(info.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function readLock(file: string): LockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.startedAt === 'string')
      return { pid: v.pid, host: v.host, startedAt: v.startedAt };
  } catch {
    // unreadable: judged by age
  }
  return undefined;
}

/**
 * Takes the update lock of a database folder (an exclusive-create file holding pid, host and start
 * time). A lock left by a killed update is taken over; a live one makes this throw `DB_LOCKED`.
 * Returns the release function.
 */
export function acquireLock(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readLock(file);
      if (attempt === 0 && isStale(file, holder)) {
        try {
          unlinkSync(file);
        } catch {
          // someone else removed it first; retry the exclusive create either way
        }
        continue;
      }
      const who = holder
        ? `pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}`
        : 'unknown holder';
      throw new AdvisoryDbError(
        'DB_LOCKED',
        `another advisory database update is running in ${dir} (${who}); wait for it to finish, or delete ${file} if it is not running`,
      );
    }
    try {
      writeSync(fd, JSON.stringify(info));
    } finally {
      closeSync(fd);
    }
    return () => {
      const now = readLock(file);
      if (now && now.pid === info.pid && now.startedAt === info.startedAt) {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      }
    };
  }
  throw new AdvisoryDbError('DB_LOCKED', `cannot take the update lock ${file}`);
}
