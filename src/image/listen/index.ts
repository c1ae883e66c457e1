export {
  EVENTS_MEDIA_TYPE,
  EnvelopeError,
  parseEnvelope,
  reportFileName,
  type ParsedEnvelope,
  type ScanJob,
} from './envelope.js';
export {
  DEFAULT_MAX_BODY,
  ScanQueue,
  authorized,
  handleRequest,
  startListener,
  type ListenerOptions,
  type Reply,
  type RequestLike,
  type RunningListener,
  type ScanFn,
} from './listener.js';
export {
  BASE_DIGEST,
  BASE_NAME,
  baseFromAnnotations,
  checkDrift,
  registryDriftDeps,
  type BaseRecord,
  type DriftDeps,
  type DriftResult,
} from './drift.js';
export { registryScanFn, type ListenReport, type ScanJobOptions } from './scan-job.js';
