/** Git modes of the scanner (staged, history, diff-base): the I/O edge over the `git` CLI. */
export { gitTargets, DEFAULT_MAX_PATCH_BYTES, type GitMode, type GitTargetOptions } from './targets.js';
export { repoRootOf } from './repo.js';
export {
  parseUnifiedDiff,
  PatchParser,
  LOG_FORMAT,
  type PatchEvent,
  type FilePatch,
  type SkippedPatch,
} from './patch-parser.js';
