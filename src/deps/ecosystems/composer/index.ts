import type { LockfileParser } from '../../model.js';
import { composerLockParser } from './composer-lock.js';

export const composerParsers: LockfileParser[] = [composerLockParser];
