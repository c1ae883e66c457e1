import { BASELINE_CHECKS } from './checks-baseline.js';
import { RESTRICTED_CHECKS } from './checks-restricted.js';
import type { PssCheck } from './types.js';
import { compareStrings } from './values.js';

/** Newest Pod Security Standards version implemented here: what `latest` means. */
export const LATEST_MINOR = 35;

/** Every check in pod-security-admission's DefaultChecks order (alphabetical by check file). */
export const ALL_CHECKS: readonly PssCheck[] = [...BASELINE_CHECKS, ...RESTRICTED_CHECKS].sort((a, b) =>
  compareStrings(a.id, b.id),
);

/**
 * Control names (as on the Pod Security Standards page and in Kyverno's `exclude[].controlName`) to
 * the check IDs that implement them (Kyverno `PSS_control_name_to_ids`).
 */
export const CONTROL_TO_CHECK_IDS: Readonly<Record<string, readonly string[]>> = {
  Capabilities: ['capabilities_baseline', 'capabilities_restricted'],
  Seccomp: ['seccompProfile_baseline', 'seccompProfile_restricted'],
  'Privileged Containers': ['privileged'],
  'Host Ports': ['hostPorts'],
  '/proc Mount Type': ['procMount', 'procMount_restricted'],
  'Host Probes / Lifecycle Hooks': ['hostProbesAndHostLifecycle'],
  HostProcess: ['windowsHostProcess'],
  SELinux: ['seLinuxOptions'],
  'Host Namespaces': ['hostNamespaces'],
  'HostPath Volumes': ['hostPathVolumes'],
  Sysctls: ['sysctls'],
  AppArmor: ['appArmorProfile'],
  'Privilege Escalation': ['allowPrivilegeEscalation'],
  'Running as Non-root': ['runAsNonRoot'],
  'Running as Non-root user': ['runAsUser'],
  'Volume Types': ['restrictedVolumes'],
};

const CHECK_ID_TO_CONTROL: ReadonlyMap<string, string> = new Map(
  Object.entries(CONTROL_TO_CHECK_IDS).flatMap(([control, ids]) => ids.map((id) => [id, control] as const)),
);

export function controlNameOf(checkId: string): string {
  return CHECK_ID_TO_CONTROL.get(checkId) ?? checkId;
}

export function isKnownControl(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(CONTROL_TO_CHECK_IDS, name);
}
