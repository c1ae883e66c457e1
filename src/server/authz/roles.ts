/**
 * Roles and permissions of the control plane. Every route declares the one permission it needs
 * (`routeConfig.permission`), and `authorize` is the only place that decides.
 *
 * Global roles (the seeds' Admin, Security admin, Developer, Operator):
 * - admin: everything, on every project.
 * - security-admin: every project, triage incl. risk acceptance, audit trail; not user management.
 * - developer: projects they are a member of: read, upload scans, triage (not risk acceptance),
 *   request deployments (never approve them).
 * - operator: projects they are a member of: read, upload scans and artifacts, metrics, request and
 *   approve deployments; no triage.
 * API tokens and CI federation carry an explicit permission list, scoped to one project, capped by
 * what their owner's role allows.
 */
export const ROLES = ['admin', 'security-admin', 'developer', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'users:manage',
  'settings:manage',
  'audit:read',
  'metrics:read',
  'projects:create',
  'projects:manage',
  'project:read',
  'scans:upload',
  'findings:triage',
  'findings:accept-risk',
  'artifacts:write',
  'deployments:request',
  'deployments:approve',
  'rescan:trigger',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Permissions that are about one project (checked against membership or the token's project). */
export const PROJECT_PERMISSIONS: ReadonlySet<Permission> = new Set<Permission>([
  'project:read',
  'scans:upload',
  'findings:triage',
  'findings:accept-risk',
  'artifacts:write',
  'deployments:request',
  'deployments:approve',
  'projects:manage',
]);

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  'security-admin': [
    'audit:read',
    'metrics:read',
    'projects:create',
    'project:read',
    'scans:upload',
    'findings:triage',
    'findings:accept-risk',
    'artifacts:write',
    'deployments:request',
    'deployments:approve',
    'rescan:trigger',
  ],
  developer: ['project:read', 'scans:upload', 'findings:triage', 'deployments:request'],
  operator: [
    'project:read',
    'scans:upload',
    'artifacts:write',
    'metrics:read',
    'deployments:request',
    'deployments:approve',
  ],
};

/** Roles that see every project without membership. */
const GLOBAL_ROLES: ReadonlySet<Role> = new Set<Role>(['admin', 'security-admin']);
/** Roles that must pass MFA before they can act. */
export const MFA_REQUIRED_ROLES: ReadonlySet<Role> = new Set<Role>(['admin', 'security-admin']);

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

export function isPermission(v: unknown): v is Permission {
  return typeof v === 'string' && (PERMISSIONS as readonly string[]).includes(v);
}

export function roleGrants(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export function roleSeesAllProjects(role: Role): boolean {
  return GLOBAL_ROLES.has(role);
}

/** Who is calling. Built by the authentication layer; never from request input. */
export type Principal =
  | {
      kind: 'user';
      userId: string;
      label: string;
      role: Role;
      /** Project ids the user is a member of. */
      projects: ReadonlySet<string>;
      /** False while a user whose role requires MFA has not completed it. */
      mfaSatisfied: boolean;
    }
  | {
      kind: 'token' | 'ci';
      label: string;
      /** The token's owner, when the token belongs to a user. */
      userId?: string;
      permissions: ReadonlySet<Permission>;
      /** The single project the credential is scoped to; undefined = org-wide token (admin only). */
      projectId?: string;
    };

export type Decision = { allow: true } | { allow: false; status: 401 | 403 | 404; reason: string };

/**
 * Decides whether `principal` may use `permission` (on `projectId` for project permissions).
 * A project the caller cannot read answers 404, so project ids cannot be probed.
 */
export function authorize(
  principal: Principal | undefined,
  permission: Permission,
  projectId?: string,
): Decision {
  if (!principal) return { allow: false, status: 401, reason: 'authentication required' };
  const projectScoped = PROJECT_PERMISSIONS.has(permission) && projectId !== undefined;
  if (principal.kind === 'user') {
    if (!principal.mfaSatisfied)
      return { allow: false, status: 403, reason: 'multi-factor authentication required for this role' };
    if (projectScoped && !roleSeesAllProjects(principal.role) && !principal.projects.has(projectId))
      return { allow: false, status: 404, reason: 'project not found' };
    if (!roleGrants(principal.role, permission))
      return { allow: false, status: 403, reason: `role ${principal.role} lacks ${permission}` };
    return { allow: true };
  }
  if (principal.projectId !== undefined) {
    if (!PROJECT_PERMISSIONS.has(permission))
      return { allow: false, status: 403, reason: `a project-scoped credential cannot use ${permission}` };
    if (projectId !== undefined && projectId !== principal.projectId)
      return { allow: false, status: 404, reason: 'project not found' };
  }
  if (!principal.permissions.has(permission))
    return { allow: false, status: 403, reason: `credential lacks ${permission}` };
  return { allow: true };
}

/** The permissions a user of `role` may put on a token they mint (never more than the role has). */
export function grantablePermissions(role: Role): Permission[] {
  return GRANTS[role].slice();
}
