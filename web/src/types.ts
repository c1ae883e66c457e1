/** Shapes of the API answers the dashboard reads (see docs and src/server/routes). */
import type { Permission, Role } from '../../src/server/authz/roles.js';

export type { Permission, Role };

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const FINDING_STATES = ['new', 'open', 'fixed', 'dismissed', 'risk-accepted'] as const;
export type FindingState = (typeof FINDING_STATES)[number];
export const SCANNERS = ['secret', 'deps', 'misconfig', 'sast', 'image', 'policy', 'dast', 'audit'] as const;
export const DISMISS_REASONS = ['false-positive', 'wont-fix', 'used-in-tests'] as const;

export interface Me {
  kind: 'user';
  id: string;
  email: string;
  name: string;
  role: Role;
  mfaEnabled: boolean;
  mfaSatisfied: boolean;
  projects: string[];
}

export type LoginAnswer =
  | { mfa: 'required'; ticket: string }
  | { mfa: 'satisfied' | 'enrolment-required' | 'not-required'; csrfToken: string };

export interface Project {
  id: string;
  name: string;
  repository: string | null;
  org: string;
  openFindings: number;
}

export interface SourceLocation {
  path: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  layer?: string;
  commit?: { sha: string };
}

export interface PackageRef {
  ecosystem: string;
  name: string;
  version: string;
  purl?: string;
  path?: string;
  line?: number;
}

export interface FindingRow {
  id: string;
  branch: string;
  tool: string;
  scanner: string;
  ruleId: string;
  severity: Severity;
  title: string;
  state: FindingState;
  location: SourceLocation | null;
  package: PackageRef | null;
  firstSeenAt: string;
  lastSeenAt: string;
  slaDueAt: string | null;
}

/** GET /api/v1/findings/:id answers the stored row as is (snake_case). */
export interface FindingDetail {
  id: string;
  project_id: string;
  branch: string;
  tool: string;
  scanner: string;
  rule_id: string;
  severity: Severity;
  title: string;
  message: string;
  location: SourceLocation | null;
  package: PackageRef | null;
  evidence: string | null;
  remediation: string | null;
  cwe: string[];
  refs: string[];
  state: FindingState;
  dismiss_reason: string | null;
  state_comment: string | null;
  state_by: string | null;
  accepted_until: string | null;
  first_seen_at: string;
  last_seen_at: string;
  fixed_at: string | null;
  sla_due_at: string | null;
  artifact_id: string | null;
}

export interface FindingEvent {
  at: string;
  actor: string;
  from: string | null;
  to: string;
  reason: string | null;
  comment: string | null;
}

export const STAGES = ['secret', 'deps', 'misconfig', 'sast', 'image', 'policy', 'dast', 'other'] as const;

export interface Overview {
  generatedAt: string;
  /** A change is waiting for the roll-ups' refresh: the numbers will move shortly. */
  refreshPending?: boolean;
  totals: { open: number; fixed: number; dismissed: number; riskAccepted: number; slaBreaches: number };
  bySeverityAndStage: Array<{ stage: (typeof STAGES)[number] } & Record<Severity, number>>;
  trend: Array<{ day: string; open: number; fixed: number }>;
  topProjects: Array<{
    id: string;
    name: string;
    critical: number;
    high: number;
    open: number;
    slaBreaches: number;
  }>;
  topArtifacts: Array<{
    id: string;
    projectId: string;
    name: string;
    digest: string;
    critical: number;
    high: number;
  }>;
}

export interface ArtifactRow {
  id: string;
  name: string;
  digest: string;
  createdAt: string;
  matchedGeneration: string | null;
  openVulnerabilities: number;
}

export interface ArtifactDetail {
  artifact: {
    id: string;
    name: string;
    digest: string;
    createdAt: string;
    sbomFormat: string | null;
    componentCount: number | null;
    sbomUploadedAt: string | null;
    matchedGeneration: string | null;
  };
  evidence: Array<{
    kind: 'signature' | 'attestation';
    predicateType: string | null;
    verified: boolean;
    details: Record<string, unknown>;
    recordedAt: string;
  }>;
  vulnerabilities: Array<{
    id: string;
    ruleId: string;
    severity: Severity;
    title: string;
    state: FindingState;
    package: PackageRef | null;
  }>;
}

export interface Protection {
  maxOpenAgeDays?: { critical?: number; high?: number };
  requireSignature?: boolean;
  requireSbom?: boolean;
  maxScanAgeHours?: number;
  requireDast?: boolean;
  approvals?: { count: number; roles: Role[] };
}

export interface Environment {
  id: string;
  name: string;
  protection: Protection;
}

export interface GateResult {
  name: string;
  passed: boolean;
  reason: string;
}

export interface Deployment {
  id: string;
  status: 'rejected' | 'pending-approval' | 'approved';
  gates: GateResult[];
  approvals: {
    required: number;
    received: number;
    roles?: Role[];
    decisions?: Array<{
      by: string;
      role?: string;
      decision: 'approve' | 'reject';
      comment: string;
      at: string;
    }>;
  };
  requestedBy?: string;
  environment?: string;
  artifact?: string;
  projectId?: string;
  projectName?: string;
  branch?: string | null;
  createdAt?: string;
  decidedAt?: string | null;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  details?: unknown;
}

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  mfaEnabled: boolean;
  disabled: boolean;
  oidcIssuer: string | null;
  createdAt: string;
}

export interface TokenRow {
  id: string;
  name: string;
  projectId: string | null;
  permissions: Permission[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
}

export interface ProjectMember {
  userId: string;
  email: string;
  role: Role;
}

export interface ProjectDetail {
  id: string;
  name: string;
  repository: string | null;
  createdAt?: string;
  /** null when the project has no member. */
  members: ProjectMember[] | null;
}

export const WEBHOOK_EVENTS = ['finding.new', 'deployment.decided'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookRow {
  id: string;
  url: string;
  events: WebhookEvent[];
  createdAt: string;
}

export const CI_PLATFORMS = ['github-actions', 'azure-pipelines', 'generic'] as const;
export type CiPlatform = (typeof CI_PLATFORMS)[number];
/** What a federation rule may grant (the server refuses anything else). */
export const FEDERATION_PERMISSIONS = [
  'project:read',
  'scans:upload',
  'artifacts:write',
  'deployments:request',
] as const satisfies readonly Permission[];

export interface TrustedIssuer {
  issuer: string;
  audience: string;
  platform: CiPlatform;
  jwksUri: string | null;
}

export interface FederationRule {
  id: string;
  issuer: string;
  repository: string;
  ref: string | null;
  environment: string | null;
  projectId: string;
  permissions: Permission[];
}
