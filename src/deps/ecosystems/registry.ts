import type { LockfileParser } from '../model.js';
import { npmParsers } from './npm/index.js';
import { pypiParsers } from './pypi/index.js';
import { goParsers } from './go/index.js';
import { cargoParsers } from './cargo/index.js';
import { rubygemsParsers } from './rubygems/index.js';
import { composerParsers } from './composer/index.js';
import { nugetParsers } from './nuget/index.js';
import { mavenParsers } from './maven/index.js';

/**
 * The explicit registry of lockfile and manifest parsers, one folder per ecosystem (Renovate's
 * "manager" idea). Order matters only for display; a file is read by every parser that matches it.
 * A contract test loops over this list.
 */
export const lockfileParsers: readonly LockfileParser[] = [
  ...npmParsers,
  ...pypiParsers,
  ...goParsers,
  ...cargoParsers,
  ...rubygemsParsers,
  ...composerParsers,
  ...nugetParsers,
  ...mavenParsers,
];
