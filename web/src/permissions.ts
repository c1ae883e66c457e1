/** What the UI offers per role, from the server's own role table (the server still decides). */
import {
  grantablePermissions,
  ROLES,
  roleGrants,
  type Permission,
  type Role,
} from '../../src/server/authz/roles.js';

export function grantable(role: Role): Permission[] {
  return grantablePermissions(role);
}

/** Roles that may approve deployments (hold deployments:approve). */
export const APPROVER_ROLES: Role[] = ROLES.filter((r) => roleGrants(r, 'deployments:approve'));

export const APPROVER_ROLES_HINT = `Approvers can be: ${APPROVER_ROLES.join(', ')}; never the person who requested the deployment.`;

export const ALL_ROLES: readonly Role[] = ROLES;
