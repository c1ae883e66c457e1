/**
 * Baseline checks of the Pod Security Standards, following pod-security-admission's `policy/check_*.go`
 * (Kyverno's fork, with field errors). Wording of reasons and details is kept identical so messages
 * match Kyverno's.
 */
import { listContainers, podSecurityContextOf, securityContextOf } from './containers.js';
import {
  ALLOWED,
  forbidden,
  forbiddenResult,
  type CheckFn,
  type PodView,
  type PssCheck,
  type PssFieldError,
} from './types.js';
import { asArray, asRecord, asString, compareStrings, joinQuote, pluralize, sortedUnique } from './values.js';
import { Violations } from './violations.js';

/** Pods with `hostUsers: false` run in a user namespace; some checks relax for them (KEP-127). */
export function inUserNamespace(pod: PodView): boolean {
  return pod.spec['hostUsers'] === false;
}

export function isWindowsPod(pod: PodView): boolean {
  return asRecord(pod.spec['os'])?.['name'] === 'windows';
}

function containersClause(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

const hostNamespaces: CheckFn = ({ spec }) => {
  const found = new Violations();
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[key] === true) found.add(`${key}=true`, forbidden(`spec.${key}`, true));
  }
  return found.empty ? ALLOWED : forbiddenResult('host namespaces', found.data.join(', '), found.errors);
};

const privileged: CheckFn = ({ spec }) => {
  const bad = new Violations();
  for (const ref of listContainers(spec)) {
    if (securityContextOf(ref.container)?.['privileged'] === true) {
      bad.add(ref.name, forbidden(`${ref.path}.securityContext.privileged`, true));
    }
  }
  if (bad.empty) return ALLOWED;
  return forbiddenResult(
    'privileged',
    `${containersClause(bad.data)} must not set securityContext.privileged=true`,
    bad.errors,
  );
};

export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

const capabilitiesBaseline: CheckFn = ({ spec }) => {
  const bad = new Violations();
  const nonDefault: string[] = [];
  for (const ref of listContainers(spec)) {
    const capabilities = asRecord(securityContextOf(ref.container)?.['capabilities']);
    if (!capabilities) continue;
    const offending = asArray(capabilities['add'])
      .map((cap) => String(cap))
      .filter((cap) => !BASELINE_CAPABILITIES.has(cap));
    if (offending.length === 0) continue;
    nonDefault.push(...offending);
    bad.add(ref.name, forbidden(`${ref.path}.securityContext.capabilities.add`, sortedUnique(offending)));
  }
  if (bad.empty) return ALLOWED;
  return forbiddenResult(
    'non-default capabilities',
    `${containersClause(bad.data)} must not include ${joinQuote(sortedUnique(nonDefault))} in securityContext.capabilities.add`,
    bad.errors,
  );
};

const hostPathVolumes: CheckFn = ({ spec }) => {
  const bad = new Violations();
  asArray(spec['volumes']).forEach((item, index) => {
    const volume = asRecord(item);
    const hostPath = asRecord(volume?.['hostPath']);
    if (!volume || !hostPath) return;
    bad.add(
      asString(volume['name']) ?? '',
      forbidden(`spec.volumes[${index}].hostPath`, asString(hostPath['path']) ?? ''),
    );
  });
  if (bad.empty) return ALLOWED;
  return forbiddenResult(
    'hostPath volumes',
    `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad.data)}`,
    bad.errors,
  );
};

const hostPorts: CheckFn = ({ spec }) => {
  const bad = new Violations();
  const ports: string[] = [];
  for (const ref of listContainers(spec)) {
    const errors: PssFieldError[] = [];
    asArray(ref.container['ports']).forEach((item, index) => {
      const hostPort = asRecord(item)?.['hostPort'];
      if (typeof hostPort !== 'number' || hostPort === 0) return;
      ports.push(String(hostPort));
      errors.push(forbidden(`${ref.path}.ports[${index}].hostPort`, hostPort));
    });
    if (errors.length > 0) bad.add(ref.name, ...errors);
  }
  if (bad.empty) return ALLOWED;
  const unique = sortedUnique(ports);
  return forbiddenResult(
    'hostPort',
    `${containersClause(bad.data)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', unique.length)} ${unique.join(', ')}`,
    bad.errors,
  );
};

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function allowedAppArmorAnnotation(value: string): boolean {
  return value === '' || value === 'runtime/default' || value.startsWith('localhost/');
}

function allowedAppArmorType(type: unknown): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

const appArmorProfile: CheckFn = ({ metadata, spec }) => {
  const setters = new Violations();
  const badValues: string[] = [];
  const podProfile = asRecord(podSecurityContextOf(spec)?.['appArmorProfile']);
  if (podProfile && !allowedAppArmorType(podProfile['type'])) {
    const type = String(podProfile['type'] ?? '');
    setters.add('pod', forbidden('spec.securityContext.appArmorProfile.type', type));
    badValues.push(type);
  }
  const containers = new Violations();
  for (const ref of listContainers(spec)) {
    const profile = asRecord(securityContextOf(ref.container)?.['appArmorProfile']);
    if (!profile || allowedAppArmorType(profile['type'])) continue;
    const type = String(profile['type'] ?? '');
    containers.add(ref.name, forbidden(`${ref.path}.securityContext.appArmorProfile.type`, type));
    badValues.push(type);
  }
  if (!containers.empty) setters.add(containersClause(containers.data), ...containers.errors);

  const annotations = asRecord(metadata['annotations']) ?? {};
  const forbiddenAnnotations = new Violations();
  for (const key of Object.keys(annotations).sort(compareStrings)) {
    const value = asString(annotations[key]) ?? '';
    if (!key.startsWith(APPARMOR_ANNOTATION_PREFIX) || allowedAppArmorAnnotation(value)) continue;
    forbiddenAnnotations.add(
      `${key}=${JSON.stringify(value)}`,
      forbidden(`metadata.annotations[${key}]`, value),
    );
  }
  const badValueList = sortedUnique(badValues);
  if (!forbiddenAnnotations.empty) {
    badValueList.push(...forbiddenAnnotations.data);
    setters.add(
      pluralize('annotation', 'annotations', forbiddenAnnotations.length),
      ...forbiddenAnnotations.errors,
    );
  }
  if (setters.empty) return ALLOWED;
  return forbiddenResult(
    pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', badValueList.length),
    `${setters.data.join(' and ')} must not set AppArmor profile type to ${joinQuote(badValueList)}`,
    setters.errors,
  );
};

const SELINUX_TYPES_1_0 = ['', 'container_t', 'container_init_t', 'container_kvm_t'];
const SELINUX_TYPES_1_31 = [...SELINUX_TYPES_1_0, 'container_engine_t'];

function seLinuxOptions(allowedTypes: readonly string[]): CheckFn {
  const allowed = new Set(allowedTypes);
  return ({ spec }) => {
    const setters = new Violations();
    const badTypes: string[] = [];
    let setUser = false;
    let setRole = false;
    const inspect = (options: Record<string, unknown>, prefix: string): PssFieldError[] => {
      const errors: PssFieldError[] = [];
      const type = asString(options['type']) ?? '';
      if (!allowed.has(type)) {
        badTypes.push(type);
        errors.push(forbidden(`${prefix}.seLinuxOptions.type`, type));
      }
      const user = asString(options['user']) ?? '';
      if (user !== '') {
        setUser = true;
        errors.push(forbidden(`${prefix}.seLinuxOptions.user`, user));
      }
      const role = asString(options['role']) ?? '';
      if (role !== '') {
        setRole = true;
        errors.push(forbidden(`${prefix}.seLinuxOptions.role`, role));
      }
      return errors;
    };
    const podOptions = asRecord(podSecurityContextOf(spec)?.['seLinuxOptions']);
    if (podOptions) {
      const errors = inspect(podOptions, 'spec.securityContext');
      if (errors.length > 0) setters.add('pod', ...errors);
    }
    const containers = new Violations();
    for (const ref of listContainers(spec)) {
      const options = asRecord(securityContextOf(ref.container)?.['seLinuxOptions']);
      if (!options) continue;
      const errors = inspect(options, `${ref.path}.securityContext`);
      if (errors.length > 0) containers.add(ref.name, ...errors);
    }
    if (!containers.empty) setters.add(containersClause(containers.data), ...containers.errors);
    if (setters.empty) return ALLOWED;
    const details: string[] = [];
    const types = sortedUnique(badTypes);
    if (types.length > 0) details.push(`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`);
    if (setUser) details.push('user may not be set');
    if (setRole) details.push('role may not be set');
    return forbiddenResult(
      'seLinuxOptions',
      `${setters.data.join(' and ')} set forbidden securityContext.seLinuxOptions: ${details.join('; ')}`,
      setters.errors,
    );
  };
}

export const procMountStrict: CheckFn = ({ spec }) => {
  const bad = new Violations();
  const types: string[] = [];
  for (const ref of listContainers(spec)) {
    const procMount = securityContextOf(ref.container)?.['procMount'];
    if (procMount === undefined || procMount === null || procMount === 'Default') continue;
    const value = String(procMount);
    types.push(value);
    bad.add(ref.name, forbidden(`${ref.path}.securityContext.procMount`, value));
  }
  if (bad.empty) return ALLOWED;
  return forbiddenResult(
    'procMount',
    `${containersClause(bad.data)} must not set securityContext.procMount to ${joinQuote(sortedUnique(types))}`,
    bad.errors,
  );
};

const procMountRelaxedForUserNamespaces: CheckFn = (pod) =>
  inUserNamespace(pod) ? ALLOWED : procMountStrict(pod);

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

function validSeccompAnnotation(value: string): boolean {
  return value === 'runtime/default' || value === 'docker/default' || value.startsWith('localhost/');
}

export function validSeccompType(type: unknown): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

const seccompBaselineAnnotations: CheckFn = ({ metadata, spec }) => {
  const annotations = asRecord(metadata['annotations']) ?? {};
  const found = new Map<string, PssFieldError[]>();
  const inspect = (key: string): void => {
    const value = annotations[key];
    if (typeof value !== 'string' || validSeccompAnnotation(value)) return;
    const label = `${key}=${JSON.stringify(value)}`;
    found.set(label, [...(found.get(label) ?? []), forbidden(`metadata.annotations[${key}]`, value)]);
  };
  if (Object.prototype.hasOwnProperty.call(annotations, SECCOMP_POD_ANNOTATION))
    inspect(SECCOMP_POD_ANNOTATION);
  for (const ref of listContainers(spec)) {
    const key = SECCOMP_CONTAINER_ANNOTATION_PREFIX + ref.name;
    if (Object.prototype.hasOwnProperty.call(annotations, key)) inspect(key);
  }
  if (found.size === 0) return ALLOWED;
  const labels = [...found.keys()].sort(compareStrings);
  return forbiddenResult(
    'seccompProfile',
    `forbidden ${pluralize('annotation', 'annotations', labels.length)} ${labels.join(', ')}`,
    labels.flatMap((label) => found.get(label) ?? []),
  );
};

const seccompBaselineFields: CheckFn = ({ spec }) => {
  const setters = new Violations();
  const badValues: string[] = [];
  const podProfile = asRecord(podSecurityContextOf(spec)?.['seccompProfile']);
  if (podProfile && !validSeccompType(podProfile['type'])) {
    const type = String(podProfile['type'] ?? '');
    setters.add('pod', forbidden('spec.securityContext.seccompProfile.type', type));
    badValues.push(type);
  }
  const containers = new Violations();
  for (const ref of listContainers(spec)) {
    const profile = asRecord(securityContextOf(ref.container)?.['seccompProfile']);
    if (!profile || validSeccompType(profile['type'])) continue;
    const type = String(profile['type'] ?? '');
    containers.add(ref.name, forbidden(`${ref.path}.securityContext.seccompProfile.type`, type));
    badValues.push(type);
  }
  if (!containers.empty) setters.add(containersClause(containers.data), ...containers.errors);
  if (setters.empty) return ALLOWED;
  return forbiddenResult(
    'seccompProfile',
    `${setters.data.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedUnique(badValues))}`,
    setters.errors,
  );
};

const SYSCTLS_1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SYSCTLS_1_29 = [
  ...SYSCTLS_1_27,
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const SYSCTLS_1_32 = [...SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];

function sysctls(allowedNames: readonly string[]): CheckFn {
  const allowed = new Set(allowedNames);
  return ({ spec }) => {
    const bad = new Violations();
    asArray(podSecurityContextOf(spec)?.['sysctls']).forEach((item, index) => {
      const name = asString(asRecord(item)?.['name']) ?? '';
      if (!allowed.has(name)) bad.add(name, forbidden(`spec.securityContext.sysctls[${index}].name`, name));
    });
    return bad.empty ? ALLOWED : forbiddenResult('forbidden sysctls', bad.data.join(', '), bad.errors);
  };
}

const windowsHostProcess: CheckFn = ({ spec }) => {
  const setters = new Violations();
  const isHostProcess = (securityContext: Record<string, unknown> | undefined): boolean =>
    asRecord(securityContext?.['windowsOptions'])?.['hostProcess'] === true;
  const containers = new Violations();
  for (const ref of listContainers(spec)) {
    if (isHostProcess(securityContextOf(ref.container))) {
      containers.add(ref.name, forbidden(`${ref.path}.securityContext.windowsOptions.hostProcess`, true));
    }
  }
  if (isHostProcess(podSecurityContextOf(spec))) {
    setters.add('pod', forbidden('spec.securityContext.windowsOptions.hostProcess', true));
  }
  if (!containers.empty) setters.add(containersClause(containers.data), ...containers.errors);
  if (setters.empty) return ALLOWED;
  return forbiddenResult(
    'hostProcess',
    `${setters.data.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
    setters.errors,
  );
};

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HANDLER_TYPES = ['httpGet', 'tcpSocket'] as const;

const hostProbesAndHostLifecycle: CheckFn = ({ spec }) => {
  const badContainers: string[] = [];
  const hosts: string[] = [];
  const errors: PssFieldError[] = [];
  for (const ref of listContainers(spec)) {
    const handlers: Array<[string, unknown]> = PROBES.map((probe) => [probe, ref.container[probe]]);
    const lifecycle = asRecord(ref.container['lifecycle']);
    for (const hook of ['postStart', 'preStop'] as const)
      handlers.push([`lifecycle.${hook}`, lifecycle?.[hook]]);
    let bad = false;
    for (const [name, handler] of handlers) {
      for (const type of HANDLER_TYPES) {
        const host = asString(asRecord(asRecord(handler)?.[type])?.['host']) ?? '';
        if (host === '') continue;
        bad = true;
        hosts.push(host);
        errors.push(forbidden(`${ref.path}.${name}.${type}.host`, host));
      }
    }
    if (bad) badContainers.push(ref.name);
  }
  if (badContainers.length === 0) return ALLOWED;
  const containers = sortedUnique(badContainers);
  const uniqueHosts = sortedUnique(hosts);
  return forbiddenResult(
    'probe or lifecycle host',
    `${containersClause(containers)} ${pluralize('uses', 'use', containers.length)} ${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', uniqueHosts.length)} ${joinQuote(uniqueHosts)}`,
    errors,
  );
};

export const BASELINE_CHECKS: readonly PssCheck[] = [
  { id: 'appArmorProfile', level: 'baseline', versions: [{ minimumMinor: 0, check: appArmorProfile }] },
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    versions: [{ minimumMinor: 0, check: capabilitiesBaseline }],
  },
  { id: 'hostNamespaces', level: 'baseline', versions: [{ minimumMinor: 0, check: hostNamespaces }] },
  { id: 'hostPathVolumes', level: 'baseline', versions: [{ minimumMinor: 0, check: hostPathVolumes }] },
  { id: 'hostPorts', level: 'baseline', versions: [{ minimumMinor: 0, check: hostPorts }] },
  {
    id: 'hostProbesAndHostLifecycle',
    level: 'baseline',
    versions: [{ minimumMinor: 34, check: hostProbesAndHostLifecycle }],
  },
  { id: 'privileged', level: 'baseline', versions: [{ minimumMinor: 0, check: privileged }] },
  {
    id: 'procMount',
    level: 'baseline',
    versions: [
      { minimumMinor: 0, check: procMountStrict },
      { minimumMinor: 35, check: procMountRelaxedForUserNamespaces },
    ],
  },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    versions: [
      { minimumMinor: 0, check: seLinuxOptions(SELINUX_TYPES_1_0) },
      { minimumMinor: 31, check: seLinuxOptions(SELINUX_TYPES_1_31) },
    ],
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    versions: [
      { minimumMinor: 0, check: seccompBaselineAnnotations },
      { minimumMinor: 19, check: seccompBaselineFields },
    ],
  },
  {
    id: 'sysctls',
    level: 'baseline',
    versions: [
      { minimumMinor: 0, check: sysctls(SYSCTLS_1_0) },
      { minimumMinor: 27, check: sysctls(SYSCTLS_1_27) },
      { minimumMinor: 29, check: sysctls(SYSCTLS_1_29) },
      { minimumMinor: 32, check: sysctls(SYSCTLS_1_32) },
    ],
  },
  { id: 'windowsHostProcess', level: 'baseline', versions: [{ minimumMinor: 0, check: windowsHostProcess }] },
];
