import type { LockfileParser } from '../../model.js';
import { goModParser } from './go-mod.js';

export const goParsers: LockfileParser[] = [goModParser];
