import envPaths from 'env-paths';
import * as path from 'node:path';

/** Default database folder: the user cache folder (`~/.cache/rampart-nodejs/db` on Linux). */
export function defaultDbDir(): string {
  return path.join(envPaths('rampart').cache, 'db');
}
