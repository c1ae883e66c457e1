import type { LockfileParser } from '../../model.js';
import { cargoLockParser } from './cargo-lock.js';

export const cargoParsers: LockfileParser[] = [cargoLockParser];
