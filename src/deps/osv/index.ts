export type {
  OsvAffected,
  OsvEvent,
  OsvPackage,
  OsvRange,
  OsvRecord,
  OsvReference,
  OsvSeverity,
} from './record.js';
export { affectedBy, type AffectedResult } from './affected.js';
export { ecosystemBase, ecosystemMatches, normalisePackageName, packageNamesMatch } from './ecosystem.js';
export { severityOf, severityFromScore, scoreVector, type SeverityInfo } from './severity.js';
export { mergeMatches, type RecordMatch, type VulnMatch } from './merge.js';
export { matchComponent, type AdvisoryLookup, type MatchTarget } from './match.js';
