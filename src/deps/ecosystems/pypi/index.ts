import type { LockfileParser } from '../../model.js';
import { pipfileLockParser } from './pipfile-lock.js';
import { poetryLockParser } from './poetry-lock.js';
import { requirementsTxtParser } from './requirements-txt.js';
import { uvLockParser } from './uv-lock.js';

export const pypiParsers: LockfileParser[] = [
  requirementsTxtParser,
  poetryLockParser,
  pipfileLockParser,
  uvLockParser,
];
