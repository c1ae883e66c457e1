import type { LockfileParser } from '../../model.js';
import { bunLockParser } from './bun-lock.js';
import { packageLockParser } from './package-lock.js';
import { pnpmLockParser } from './pnpm-lock.js';
import { yarnLockParser } from './yarn-lock.js';

/** Every JavaScript lockfile reader: npm, Yarn (1 and berry), pnpm, Bun. */
export const npmParsers: LockfileParser[] = [
  packageLockParser,
  yarnLockParser,
  pnpmLockParser,
  bunLockParser,
];

export { packageLockParser, yarnLockParser, pnpmLockParser, bunLockParser };
