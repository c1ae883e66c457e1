import type { Finding, ScannerKind } from '../core/finding.js';
import type { Skipped, WalkedFile } from '../walk/types.js';
import type { ScannerSections } from './load-scanners.js';

export interface WorkerInit {
  kinds: ScannerKind[];
  sections: ScannerSections;
  maxFileSize: number;
  fileTimeout: number;
}

export interface WorkerRequest {
  id: number;
  files: WalkedFile[];
}

export interface FileOutcome {
  path: string;
  bytes: number;
  findings: Finding[];
  warnings: string[];
  skipped?: Skipped;
  timedOut?: string[];
  notRequired?: boolean;
}

export type WorkerResponse =
  | { id: number; results: FileOutcome[]; states: Partial<Record<ScannerKind, unknown>> }
  | { id: number; error: string };
