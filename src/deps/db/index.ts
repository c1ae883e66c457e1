export { openDatabase, type AdvisoryDatabase } from './open.js';
export { status, type DbStatus } from './status.js';
export {
  updateDatabase,
  summariseUpdate,
  SUPPORTED_ECOSYSTEMS,
  type UpdateOptions,
  type UpdateProgress,
  type UpdateResult,
} from './update.js';
export { defaultDbDir } from './paths.js';
export { DEFAULT_SOURCE } from './source.js';
export { AdvisoryDbError, type AdvisoryDbErrorCode } from './errors.js';
export type { DbMeta, EcosystemMeta, SkipCounts } from './store.js';
