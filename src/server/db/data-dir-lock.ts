/**
 * One process at a time per embedded data folder. PGlite does not notice a second process opening
 * the same folder: each would keep its own view and overwrite the other's files. A lock file
 * holding the owner's pid refuses the second opener; a lock left by a dead process is taken over.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { RampartError } from '../../core/errors.js';

export const LOCK_FILE = 'rampart.lock';

export interface DataDirLock {
  release(): Promise<void>;
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const lockPath = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => unlink(lockPath).catch(() => undefined) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new RampartError(
        'DB_UNAVAILABLE',
        `the embedded database in ${dataDir} is in use by process ${owner}; stop it or use DATABASE_URL to share a PostgreSQL server`,
      );
    }
    await unlink(lockPath).catch(() => undefined); // stale: its process is gone
  }
  throw new RampartError('DB_UNAVAILABLE', `cannot lock the embedded database in ${dataDir}`);
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
