import type { LockfileParser } from '../../model.js';
import { gemfileLockParser } from './gemfile-lock.js';

export const rubygemsParsers: LockfileParser[] = [gemfileLockParser];
