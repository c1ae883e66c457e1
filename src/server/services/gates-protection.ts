/**
 * An environment's protection rules (`PUT /api/v1/environments/:name`): policy gates over what the
 * server knows about the artifact, and the manual approvals a deployment needs.
 */
import { ROLES, roleGrants, type Role } from '../authz/roles.js';

export interface Protection {
  /** No critical/high finding of the deployed stream open for more than N days (0 = none open at all). */
  maxOpenAgeDays?: { critical?: number; high?: number };
  /** The artifact's latest signature verification succeeded. */
  requireSignature?: boolean;
  /** An SBOM was uploaded for the artifact. */
  requireSbom?: boolean;
  /** The stream was scanned less than N hours ago. */
  maxScanAgeHours?: number;
  /** DAST results exist for the stream and have no open critical/high finding. */
  requireDast?: boolean;
  /** `count` distinct people holding one of `roles` (default: every role that may approve). */
  approvals?: { count: number; roles?: Role[] };
}

/** Roles that hold `deployments:approve`: the only ones an approval rule may name. */
export const APPROVER_ROLES: readonly Role[] = ROLES.filter((r) => roleGrants(r, 'deployments:approve'));

/** JSON schema of a protection document (fastify validates the request body with it). */
export const protectionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxOpenAgeDays: {
      type: 'object',
      additionalProperties: false,
      properties: {
        critical: { type: 'integer', minimum: 0, maximum: 3650 },
        high: { type: 'integer', minimum: 0, maximum: 3650 },
      },
    },
    requireSignature: { type: 'boolean' },
    requireSbom: { type: 'boolean' },
    maxScanAgeHours: { type: 'number', exclusiveMinimum: 0, maximum: 87_600 },
    requireDast: { type: 'boolean' },
    approvals: {
      type: 'object',
      required: ['count'],
      additionalProperties: false,
      properties: {
        count: { type: 'integer', minimum: 0, maximum: 10 },
        roles: { type: 'array', uniqueItems: true, maxItems: ROLES.length, items: { enum: ROLES } },
      },
    },
  },
} as const;

/** Why a protection document cannot be used, or undefined (checks the schema cannot express). */
export function protectionProblem(p: Protection): string | undefined {
  for (const role of p.approvals?.roles ?? [])
    if (!APPROVER_ROLES.includes(role))
      return `role ${role} cannot approve deployments (approvers need deployments:approve: ${APPROVER_ROLES.join(', ')})`;
  if (p.approvals && p.approvals.count > 0 && p.approvals.roles?.length === 0)
    return 'approvals.roles is empty: name at least one role, or leave it out for every approver role';
  return undefined;
}

export interface ApprovalRule {
  required: number;
  roles: Role[];
}

export function approvalRule(p: Protection): ApprovalRule {
  const required = p.approvals?.count ?? 0;
  const roles = p.approvals?.roles?.length ? [...p.approvals.roles] : [...APPROVER_ROLES];
  return { required, roles };
}
