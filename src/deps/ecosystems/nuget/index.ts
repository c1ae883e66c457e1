import type { LockfileParser } from '../../model.js';
import { packagesLockJsonParser } from './packages-lock-json.js';

export const nugetParsers: LockfileParser[] = [packagesLockJsonParser];
