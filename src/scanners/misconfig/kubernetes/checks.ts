import { maskSecret } from '../../../core/mask.js';
import type { CheckMeta } from '../check.js';
import { ipAllowed, isTrustedImage, type MisconfigOptions } from '../options.js';
import { asArray, asString, get, isRecord, type Json, type Path } from './parse.js';
import type { ContainerRef, K8sObject, PodTemplate } from './workload.js';

/** A failed check at a path of the YAML document. */
export interface K8sHit {
  path: Path;
  message: string;
  /** Stable identity inside the object (container name, rule index…). */
  subject: string;
}

export interface K8sCheck extends CheckMeta {
  /** Runs once per pod template (every workload kind). */
  pod?(p: PodTemplate, opts: MisconfigOptions): K8sHit[];
  /** Runs once per object of any kind. */
  object?(o: K8sObject, opts: MisconfigOptions): K8sHit[];
}

const PSS = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/';
const SC_DOC = 'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/';
const RES_DOC = 'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/';
const RBAC_DOC = 'https://kubernetes.io/docs/concepts/security/rbac-good-practices/';

type Rec = { [k: string]: Json };
const rec = (v: Json | undefined): Rec => (isRecord(v) ? v : {});

function sc(c: ContainerRef): Rec {
  return rec(c.container.securityContext);
}
function podSc(p: PodTemplate): Rec {
  return rec(p.spec.securityContext);
}
function label(p: PodTemplate, c: ContainerRef): string {
  return `container "${c.name}" of ${p.object.kind} "${p.object.name}"`;
}
function capList(c: ContainerRef, which: 'add' | 'drop'): string[] {
  return asArray(get(c.container, 'securityContext', 'capabilities', which))
    .map((x) => asString(x))
    .filter((x): x is string => x !== undefined)
    .map((x) => x.toUpperCase().replace(/^CAP_/, ''));
}
function num(v: Json | undefined): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** One hit per container for which `failed` returns a message; the path points at the offending field or the container. */
function eachContainer(
  p: PodTemplate,
  failed: (c: ContainerRef) => { message: string; field?: Path } | undefined,
): K8sHit[] {
  const out: K8sHit[] = [];
  for (const c of p.containers) {
    const r = failed(c);
    if (r)
      out.push({
        path: [...c.path, ...(r.field ?? [])],
        message: r.message,
        subject: `${c.group}/${c.name}`,
      });
  }
  return out;
}

/** Effective value of a securityContext field: the container's, else the pod's. */
function effective(p: PodTemplate, c: ContainerRef, key: string): { value: Json | undefined; field?: Path } {
  if (sc(c)[key] !== undefined) return { value: sc(c)[key], field: ['securityContext', key] };
  return { value: podSc(p)[key] };
}

function annotationSeccomp(p: PodTemplate, c: ContainerRef): string | undefined {
  return (
    p.annotations[`container.seccomp.security.alpha.kubernetes.io/${c.name}`] ??
    p.annotations['seccomp.security.alpha.kubernetes.io/pod']
  );
}
/** The seccomp profile type in force for a container ('' when none is set anywhere). */
function seccompType(p: PodTemplate, c: ContainerRef): string {
  const own = asString(get(c.container, 'securityContext', 'seccompProfile', 'type'));
  if (own) return own;
  const pod = asString(get(p.spec, 'securityContext', 'seccompProfile', 'type'));
  if (pod) return pod;
  const ann = annotationSeccomp(p, c);
  if (ann === undefined) return '';
  if (ann === 'runtime/default' || ann === 'docker/default') return 'RuntimeDefault';
  if (ann === 'unconfined') return 'Unconfined';
  if (ann.startsWith('localhost/')) return 'Localhost';
  return ann;
}

/** Capabilities the PSS baseline level allows to add. */
const BASELINE_CAPS = new Set([
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
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const CORE_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const SELINUX_TYPES = new Set(['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

/** Splits an image reference into registry, repository, tag and digest (no network, no guessing). */
export function parseImageRef(image: string): { registry: string; tag?: string; digest?: string } {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const first = rest.split('/')[0] ?? '';
  const registry =
    rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
      ? first
      : 'docker.io';
  return { registry, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

function hostPathVolumes(p: PodTemplate): { name: string; path: string; index: number }[] {
  return asArray(p.spec.volumes).flatMap((v, index) => {
    const hp = get(v, 'hostPath');
    if (!isRecord(hp)) return [];
    return [{ name: asString(get(v, 'name')) ?? `#${index}`, path: asString(hp.path) ?? '', index }];
  });
}

function resourceCheck(
  id: string,
  trivy: string,
  kind: 'limits' | 'requests',
  res: 'cpu' | 'memory',
  title: string,
): K8sCheck {
  return {
    id,
    title,
    severity: 'low',
    description: `Containers should declare ${res === 'cpu' ? 'CPU' : 'memory'} ${kind}, so one workload cannot starve the node (denial of service) and the scheduler can place it.`,
    remediation: `Set \`resources.${kind}.${res}\` on every container.`,
    references: [RES_DOC],
    standards: ['CIS Kubernetes 5.7'],
    equivalents: { trivy: [trivy] },
    cwe: ['CWE-400'],
    pod: (p) =>
      eachContainer(p, (c) =>
        get(c.container, 'resources', kind, res) === undefined
          ? { message: `${label(p, c)} does not set resources.${kind}.${res}` }
          : undefined,
      ),
  };
}

function addedCapCheck(id: string, trivy: string, cap: string, cwe = 'CWE-250'): K8sCheck {
  return {
    id,
    title: `${cap} capability added`,
    severity: 'high',
    description: `The ${cap} capability gives a container powers close to root on the node; it is not allowed by the Pod Security Standards.`,
    remediation: `Remove ${cap} from \`securityContext.capabilities.add\`.`,
    references: [`${PSS}#baseline`, SC_DOC],
    standards: ['PSS baseline: Capabilities'],
    equivalents: { trivy: [trivy] },
    cwe: [cwe],
    pod: (p) =>
      eachContainer(p, (c) =>
        capList(c, 'add').includes(cap) || (cap !== 'ALL' && capList(c, 'add').includes('ALL'))
          ? {
              message: `${label(p, c)} adds capability ${cap}`,
              field: ['securityContext', 'capabilities', 'add'],
            }
          : undefined,
      ),
  };
}

function hostNamespaceCheck(
  id: string,
  trivy: string,
  key: 'hostPID' | 'hostIPC' | 'hostNetwork',
  what: string,
): K8sCheck {
  return {
    id,
    title: `Access to host ${what}`,
    severity: 'high',
    description: `Sharing the host's ${what} namespace (\`${key}: true\`) lets the pod see and interfere with processes or traffic of the node.`,
    remediation: `Remove \`${key}\` or set it to false.`,
    references: [`${PSS}#baseline`],
    standards: ['PSS baseline: Host Namespaces', 'CIS Kubernetes 5.2'],
    equivalents: { trivy: [trivy] },
    cwe: ['CWE-250'],
    pod: (p) =>
      p.spec[key] === true
        ? [
            {
              path: [...p.specPath, key],
              message: `${p.object.kind} "${p.object.name}" sets ${key}: true`,
              subject: key,
            },
          ]
        : [],
  };
}

const WORKLOAD_KINDS = new Set([
  'pod',
  'deployment',
  'replicaset',
  'replicationcontroller',
  'statefulset',
  'daemonset',
  'job',
  'cronjob',
  'deploymentconfig',
]);

function rbacRules(
  o: K8sObject,
): { rule: Rec; index: number; verbs: string[]; resources: string[]; apiGroups: string[] }[] {
  if (o.kind !== 'Role' && o.kind !== 'ClusterRole') return [];
  return asArray(o.value.rules).flatMap((r, index) => {
    if (!isRecord(r)) return [];
    const strs = (v: Json | undefined) => asArray(v).map((x) => asString(x) ?? '');
    return [
      { rule: r, index, verbs: strs(r.verbs), resources: strs(r.resources), apiGroups: strs(r.apiGroups) },
    ];
  });
}

function rbacCheck(
  meta: Omit<K8sCheck, 'object' | 'pod'>,
  failed: (r: { verbs: string[]; resources: string[]; apiGroups: string[] }) => string | undefined,
): K8sCheck {
  return {
    ...meta,
    object: (o) =>
      rbacRules(o).flatMap((r) => {
        const m = failed(r);
        return m
          ? [
              {
                path: [...o.path, 'rules', r.index],
                message: `${o.kind} "${o.name}" rule ${r.index + 1}: ${m}`,
                subject: `rule-${r.index}`,
              },
            ]
          : [];
      }),
  };
}

const READ_VERBS = ['get', 'list', 'watch', '*'];
const has = (list: string[], ...any: string[]) => list.some((x) => any.includes(x));

function bindingSubjectCheck(id: string, trivy: string, group: string, title: string): K8sCheck {
  return {
    id,
    title,
    severity: 'critical',
    description: `Binding a role to \`${group}\` grants it to every request in that group; ${group === 'system:masters' ? 'members of system:masters bypass RBAC entirely' : 'this includes unauthenticated or any authenticated user'}.`,
    remediation: `Remove \`${group}\` from the binding subjects; bind to specific users, groups or service accounts.`,
    references: [RBAC_DOC],
    standards: ['CIS Kubernetes 5.1'],
    equivalents: { trivy: [trivy] },
    cwe: ['CWE-284'],
    object: (o) => {
      if (o.kind !== 'RoleBinding' && o.kind !== 'ClusterRoleBinding') return [];
      return asArray(o.value.subjects).flatMap((s, i) =>
        asString(get(s, 'name')) === group
          ? [
              {
                path: [...o.path, 'subjects', i],
                message: `${o.kind} "${o.name}" binds ${group}`,
                subject: `subject-${i}`,
              },
            ]
          : [],
      );
    },
  };
}

const SENSITIVE_KEY =
  /(?:^|[_.-])(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)(?:$|[_.-])/i;
const SENSITIVE_ENV =
  /(?:^|_)(?:PASS(?:WORD|WD)?|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)(?:$|_)/i;
/** Literal values that are obviously not secrets: empty, references, booleans, file paths, placeholders. */
function looksLikeSecretValue(v: string): boolean {
  const s = v.trim();
  if (s.length < 6) return false;
  if (/^(?:true|false|yes|no|null|none|changeme|change-me|password|secret|example|xxx+|\*+)$/i.test(s))
    return false;
  if (/^(?:\$\{?|\{\{|<|%|\/|\.\/|https?:\/\/[^:@]*$)/.test(s)) return false;
  if (/^[A-Z0-9_]+$/.test(s) && s.includes('_')) return false; // a variable name
  if (/^\d+$/.test(s)) return false;
  return true;
}

export const kubernetesChecks: K8sCheck[] = [
  {
    id: 'k8s-privileged',
    title: 'Privileged container',
    severity: 'high',
    description:
      'A privileged container has all capabilities and access to every device of the node: escaping to the host is trivial.',
    remediation: 'Remove `securityContext.privileged: true`; grant only the specific capability needed.',
    references: [`${PSS}#baseline`, SC_DOC],
    standards: ['PSS baseline: Privileged Containers', 'CIS Kubernetes 5.2.2'],
    equivalents: { trivy: ['KSV017'] },
    cwe: ['CWE-250'],
    pod: (p) =>
      eachContainer(p, (c) =>
        sc(c).privileged === true
          ? { message: `${label(p, c)} is privileged`, field: ['securityContext', 'privileged'] }
          : undefined,
      ),
  },
  {
    id: 'k8s-allow-privilege-escalation',
    title: 'Container can elevate its own privileges',
    severity: 'medium',
    description:
      'Unless `allowPrivilegeEscalation` is false, a process can gain more privileges than its parent (setuid binaries, file capabilities).',
    remediation: 'Set `securityContext.allowPrivilegeEscalation: false` on every container.',
    references: [`${PSS}#restricted`, SC_DOC],
    standards: ['PSS restricted: Privilege Escalation', 'CIS Kubernetes 5.2.5'],
    equivalents: { trivy: ['KSV001'] },
    cwe: ['CWE-269'],
    pod: (p) =>
      eachContainer(p, (c) =>
        sc(c).allowPrivilegeEscalation !== false
          ? { message: `${label(p, c)} does not set allowPrivilegeEscalation: false` }
          : undefined,
      ),
  },
  {
    id: 'k8s-apparmor-disabled',
    title: 'AppArmor profile disabled or not the runtime default',
    severity: 'low',
    description:
      'An AppArmor profile other than the runtime default or a localhost profile (e.g. `unconfined`) removes a layer of mandatory access control.',
    remediation:
      'Use the `runtime/default` or a `localhost/…` AppArmor profile (annotation or `securityContext.appArmorProfile`).',
    references: [`${PSS}#baseline`, 'https://kubernetes.io/docs/tutorials/security/apparmor/'],
    standards: ['PSS baseline: AppArmor'],
    equivalents: { trivy: ['KSV002'] },
    cwe: ['CWE-693'],
    pod: (p) =>
      eachContainer(p, (c) => {
        const ann = p.annotations[`container.apparmor.security.beta.kubernetes.io/${c.name}`];
        const type =
          asString(get(c.container, 'securityContext', 'appArmorProfile', 'type')) ??
          asString(get(p.spec, 'securityContext', 'appArmorProfile', 'type'));
        if (ann !== undefined && ann !== 'runtime/default' && !ann.startsWith('localhost/'))
          return { message: `${label(p, c)} uses AppArmor profile "${ann}"` };
        if (type !== undefined && type !== 'RuntimeDefault' && type !== 'Localhost')
          return { message: `${label(p, c)} uses AppArmor profile type "${type}"` };
        return undefined;
      }),
  },
  {
    id: 'k8s-capabilities-drop-all',
    title: 'Container does not drop all capabilities',
    severity: 'low',
    description:
      'Containers get a default set of Linux capabilities; dropping ALL and adding back only what is needed limits what a compromised process can do.',
    remediation:
      'Set `securityContext.capabilities.drop: ["ALL"]` and add back only the needed capabilities.',
    references: [`${PSS}#restricted`, SC_DOC],
    standards: ['PSS restricted: Capabilities', 'CIS Kubernetes 5.2.9'],
    equivalents: { trivy: ['KSV003'] },
    cwe: ['CWE-250'],
    pod: (p) =>
      eachContainer(p, (c) =>
        !capList(c, 'drop').includes('ALL')
          ? { message: `${label(p, c)} does not drop ALL capabilities` }
          : undefined,
      ),
  },
  addedCapCheck('k8s-cap-sys-admin', 'KSV005', 'SYS_ADMIN'),
  addedCapCheck('k8s-cap-net-raw', 'KSV119', 'NET_RAW'),
  addedCapCheck('k8s-cap-sys-module', 'KSV120', 'SYS_MODULE'),
  {
    id: 'k8s-capabilities-added',
    title: 'Capabilities added',
    severity: 'medium',
    description:
      'Every capability added to a container widens what a compromised process can do. Capabilities outside the Pod Security Standards baseline set are forbidden there; the others (e.g. NET_BIND_SERVICE, CHOWN) should be reviewed and justified.',
    remediation:
      'Remove `securityContext.capabilities.add`, or keep only capabilities the process provably needs (document why).',
    references: [`${PSS}#baseline`],
    standards: ['PSS baseline: Capabilities'],
    equivalents: { trivy: ['KSV022'] },
    cwe: ['CWE-250'],
    pod: (p) =>
      eachContainer(p, (c) => {
        const added = capList(c, 'add');
        if (!added.length) return undefined;
        const beyond = added.filter((x) => !BASELINE_CAPS.has(x));
        return {
          message: `${label(p, c)} adds ${added.join(', ')}${beyond.length ? ` (outside the PSS baseline: ${beyond.join(', ')})` : ''}`,
          field: ['securityContext', 'capabilities', 'add'],
        };
      }),
  },
  {
    id: 'k8s-capabilities-restricted',
    title: 'Capabilities other than NET_BIND_SERVICE',
    severity: 'low',
    description:
      'The restricted Pod Security Standard requires dropping ALL capabilities and adding back at most NET_BIND_SERVICE.',
    remediation:
      'Drop ALL capabilities and add back only NET_BIND_SERVICE when the process binds a port below 1024.',
    references: [`${PSS}#restricted`],
    standards: ['PSS restricted: Capabilities'],
    equivalents: { trivy: ['KSV106'] },
    cwe: ['CWE-250'],
    pod: (p) =>
      eachContainer(p, (c) => {
        const extra = capList(c, 'add').filter((x) => x !== 'NET_BIND_SERVICE');
        if (!capList(c, 'drop').includes('ALL'))
          return { message: `${label(p, c)} does not drop ALL capabilities` };
        return extra.length
          ? {
              message: `${label(p, c)} adds ${extra.join(', ')}`,
              field: ['securityContext', 'capabilities', 'add'],
            }
          : undefined;
      }),
  },
  {
    id: 'k8s-hostpath-docker-socket',
    title: 'Docker socket mounted from the host',
    severity: 'high',
    description:
      'Mounting the container runtime socket gives full control of the node’s containers, i.e. root on the node.',
    remediation:
      'Do not mount `/var/run/docker.sock` (or other runtime sockets); use a dedicated, scoped API.',
    references: [`${PSS}#baseline`],
    standards: ['PSS baseline: HostPath Volumes'],
    equivalents: { trivy: ['KSV006'] },
    cwe: ['CWE-250'],
    pod: (p) =>
      hostPathVolumes(p)
        .filter((v) => /\/docker\.sock\/?$/.test(v.path))
        .map((v) => ({
          path: [...p.specPath, 'volumes', v.index],
          message: `${p.object.kind} "${p.object.name}" mounts ${v.path}`,
          subject: `volume/${v.name}`,
        })),
  },
  hostNamespaceCheck('k8s-host-ipc', 'KSV008', 'hostIPC', 'IPC'),
  hostNamespaceCheck('k8s-host-network', 'KSV009', 'hostNetwork', 'network'),
  hostNamespaceCheck('k8s-host-pid', 'KSV010', 'hostPID', 'PID'),
  resourceCheck('k8s-cpu-limit', 'KSV011', 'limits', 'cpu', 'CPU not limited'),
  resourceCheck('k8s-cpu-request', 'KSV015', 'requests', 'cpu', 'CPU requests not specified'),
  resourceCheck('k8s-memory-request', 'KSV016', 'requests', 'memory', 'Memory requests not specified'),
  resourceCheck('k8s-memory-limit', 'KSV018', 'limits', 'memory', 'Memory not limited'),
  {
    id: 'k8s-run-as-non-root',
    title: 'Container may run as root',
    severity: 'medium',
    description:
      'Without `runAsNonRoot: true` (container or pod level), the container runs as whatever user the image declares, often root.',
    remediation:
      'Set `securityContext.runAsNonRoot: true` on the pod or every container (and a non-zero `runAsUser`).',
    references: [`${PSS}#restricted`, SC_DOC],
    standards: ['PSS restricted: Running as Non-root', 'CIS Kubernetes 5.2.6'],
    equivalents: { trivy: ['KSV012'] },
    cwe: ['CWE-250'],
    pod: (p) =>
      podSc(p).runAsNonRoot === true
        ? []
        : eachContainer(p, (c) =>
            sc(c).runAsNonRoot !== true
              ? { message: `${label(p, c)} does not set runAsNonRoot: true` }
              : undefined,
          ),
  },
  {
    id: 'k8s-image-latest',
    title: 'Image tag `latest` or no tag',
    severity: 'medium',
    description:
      'An image without a tag or with `latest` changes under you: deployments are not reproducible and a compromised tag is pulled silently.',
    remediation: 'Pin images to a version tag, ideally with a digest (`image: repo:1.2.3@sha256:…`).',
    references: ['https://kubernetes.io/docs/concepts/containers/images/#image-names'],
    standards: ['CIS Kubernetes 5.5.1'],
    equivalents: { trivy: ['KSV013'] },
    cwe: ['CWE-1357'],
    pod: (p) =>
      eachContainer(p, (c) => {
        const image = asString(c.container.image);
        if (!image) return { message: `${label(p, c)} has no image` };
        const ref = parseImageRef(image);
        if (ref.digest) return undefined;
        return ref.tag === undefined || ref.tag === 'latest'
          ? { message: `${label(p, c)} uses image "${image}" without a fixed tag`, field: ['image'] }
          : undefined;
      }),
  },
  {
    id: 'k8s-read-only-root-fs',
    title: 'Root file system is not read-only',
    severity: 'low',
    description:
      'A writable root file system lets an attacker drop tools or modify binaries inside the container.',
    remediation:
      'Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` where the application needs to write.',
    references: [SC_DOC],
    standards: ['CIS Kubernetes 5.7'],
    equivalents: { trivy: ['KSV014'] },
    cwe: ['CWE-732'],
    pod: (p) =>
      eachContainer(p, (c) =>
        sc(c).readOnlyRootFilesystem !== true
          ? { message: `${label(p, c)} does not set readOnlyRootFilesystem: true` }
          : undefined,
      ),
  },
  {
    id: 'k8s-run-as-user-low',
    title: 'Runs with UID <= 10000 or no UID set',
    severity: 'low',
    description:
      'A UID above 10000 avoids sharing a UID with a user or service of the node if the container escapes.',
    remediation: 'Set `securityContext.runAsUser` to a value above 10000 (pod or container level).',
    references: [SC_DOC],
    equivalents: { trivy: ['KSV020'] },
    cwe: ['CWE-250'],
    pod: (p) =>
      eachContainer(p, (c) => {
        const e = effective(p, c, 'runAsUser');
        const v = num(e.value);
        return v === undefined || v <= 10000
          ? {
              message: `${label(p, c)} runs with UID ${v ?? '(image default)'}`,
              ...(e.field ? { field: e.field } : {}),
            }
          : undefined;
      }),
  },
  {
    id: 'k8s-run-as-group-low',
    title: 'Runs with GID <= 10000 or no GID set',
    severity: 'low',
    description: 'A GID above 10000 avoids sharing a group with users or services of the node.',
    remediation: 'Set `securityContext.runAsGroup` to a value above 10000 (pod or container level).',
    references: [SC_DOC],
    equivalents: { trivy: ['KSV021'] },
    cwe: ['CWE-250'],
    pod: (p) =>
      eachContainer(p, (c) => {
        const e = effective(p, c, 'runAsGroup');
        const v = num(e.value);
        return v === undefined || v <= 10000
          ? {
              message: `${label(p, c)} runs with GID ${v ?? '(image default)'}`,
              ...(e.field ? { field: e.field } : {}),
            }
          : undefined;
      }),
  },
  {
    id: 'k8s-hostpath',
    title: 'hostPath volume mounted',
    severity: 'medium',
    description:
      'hostPath volumes expose the node’s file system to the pod; writable ones allow escaping to the node.',
    remediation: 'Use persistentVolumeClaim, emptyDir, configMap or secret volumes instead of hostPath.',
    references: [`${PSS}#baseline`],
    standards: ['PSS baseline: HostPath Volumes'],
    equivalents: { trivy: ['KSV023'] },
    cwe: ['CWE-668'],
    pod: (p) =>
      hostPathVolumes(p).map((v) => ({
        path: [...p.specPath, 'volumes', v.index],
        message: `${p.object.kind} "${p.object.name}" mounts hostPath ${v.path || '(no path)'}`,
        subject: `volume/${v.name}`,
      })),
  },
  {
    id: 'k8s-host-port',
    title: 'Access to host ports',
    severity: 'high',
    description:
      'A hostPort binds the node’s network interface, bypassing network policies and exposing the container outside the cluster network.',
    remediation: 'Remove `hostPort` and expose the container through a Service.',
    references: [`${PSS}#baseline`],
    standards: ['PSS baseline: Host Ports'],
    equivalents: { trivy: ['KSV024'] },
    cwe: ['CWE-668'],
    pod: (p) =>
      eachContainer(p, (c) => {
        const i = asArray(c.container.ports).findIndex((port) => (num(get(port, 'hostPort')) ?? 0) !== 0);
        return i >= 0
          ? {
              message: `${label(p, c)} binds host port ${String(get(c.container, 'ports', i, 'hostPort'))}`,
              field: ['ports', i],
            }
          : undefined;
      }),
  },
  {
    id: 'k8s-selinux-custom',
    title: 'SELinux custom options set',
    severity: 'medium',
    description:
      'Setting a custom SELinux user or role, or a type outside the container types, can disable SELinux confinement.',
    remediation: 'Remove `seLinuxOptions.user`/`role`; use only the container_t family of types.',
    references: [`${PSS}#baseline`],
    standards: ['PSS baseline: SELinux'],
    equivalents: { trivy: ['KSV025'] },
    cwe: ['CWE-693'],
    pod: (p) => {
      const bad = (o: Json | undefined) => {
        if (!isRecord(o)) return false;
        const type = asString(o.type);
        return (
          o.user !== undefined ||
          o.role !== undefined ||
          (type !== undefined && type !== '' && !SELINUX_TYPES.has(type))
        );
      };
      const podBad = bad(get(p.spec, 'securityContext', 'seLinuxOptions'));
      return eachContainer(p, (c) =>
        podBad || bad(get(c.container, 'securityContext', 'seLinuxOptions'))
          ? { message: `${label(p, c)} sets custom SELinux options` }
          : undefined,
      );
    },
  },
  {
    id: 'k8s-unsafe-sysctls',
    title: 'Unsafe sysctl options set',
    severity: 'medium',
    description:
      'Sysctls outside the safe, namespaced set affect the whole node or can be used for denial of service.',
    remediation: 'Remove sysctls outside the safe set from `securityContext.sysctls`.',
    references: [`${PSS}#baseline`, 'https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/'],
    standards: ['PSS baseline: Sysctls'],
    equivalents: { trivy: ['KSV026'] },
    cwe: ['CWE-250'],
    pod: (p) =>
      asArray(get(p.spec, 'securityContext', 'sysctls')).flatMap((s, i) => {
        const name = asString(get(s, 'name')) ?? '';
        return SAFE_SYSCTLS.has(name)
          ? []
          : [
              {
                path: [...p.specPath, 'securityContext', 'sysctls', i],
                message: `${p.object.kind} "${p.object.name}" sets sysctl ${name}`,
                subject: `sysctl/${name}`,
              },
            ];
      }),
  },
  {
    id: 'k8s-proc-mount',
    title: 'Non-default /proc mask',
    severity: 'medium',
    description: '`procMount: Unmasked` exposes parts of /proc that the runtime hides by default.',
    remediation: 'Remove `securityContext.procMount` or set it to `Default`.',
    references: [`${PSS}#baseline`],
    standards: ['PSS baseline: /proc Mount Type'],
    equivalents: { trivy: ['KSV027'] },
    cwe: ['CWE-200'],
    pod: (p) =>
      eachContainer(p, (c) => {
        const m = asString(sc(c).procMount);
        return m !== undefined && m !== 'Default'
          ? { message: `${label(p, c)} sets procMount: ${m}`, field: ['securityContext', 'procMount'] }
          : undefined;
      }),
  },
  {
    id: 'k8s-non-core-volume',
    title: 'Non-core volume type',
    severity: 'low',
    description:
      'The restricted Pod Security Standard allows only core volume types (configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret).',
    remediation: 'Use a persistentVolumeClaim instead of a direct volume source.',
    references: [`${PSS}#restricted`],
    standards: ['PSS restricted: Volume Types'],
    equivalents: { trivy: ['KSV028'] },
    cwe: ['CWE-668'],
    pod: (p) =>
      asArray(p.spec.volumes).flatMap((v, i) => {
        if (!isRecord(v)) return [];
        const types = Object.keys(v).filter((k) => k !== 'name');
        const bad = types.filter((t) => !CORE_VOLUME_TYPES.has(t));
        return bad.length
          ? [
              {
                path: [...p.specPath, 'volumes', i],
                message: `${p.object.kind} "${p.object.name}" uses volume type ${bad.join(', ')}`,
                subject: `volume/${asString(v.name) ?? i}`,
              },
            ]
          : [];
      }),
  },
  {
    id: 'k8s-seccomp-not-runtime-default',
    title: 'RuntimeDefault seccomp profile not set',
    severity: 'low',
    description:
      'The restricted Pod Security Standard requires the RuntimeDefault (or a Localhost) seccomp profile, which blocks rarely-needed dangerous syscalls.',
    remediation: 'Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or every container).',
    references: [`${PSS}#restricted`, 'https://kubernetes.io/docs/tutorials/security/seccomp/'],
    standards: ['PSS restricted: Seccomp', 'CIS Kubernetes 5.7.2'],
    equivalents: { trivy: ['KSV030'] },
    cwe: ['CWE-693'],
    pod: (p) =>
      eachContainer(p, (c) => {
        const t = seccompType(p, c);
        return t !== 'RuntimeDefault' && t !== 'Localhost'
          ? { message: `${label(p, c)} has seccomp profile ${t || '(none)'}` }
          : undefined;
      }),
  },
  {
    id: 'k8s-seccomp-unconfined',
    title: 'Seccomp disabled (Unconfined or unset)',
    severity: 'medium',
    description:
      'Without a seccomp profile (the default is Unconfined) or with `Unconfined`, every syscall is allowed to the container.',
    remediation: 'Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or every container).',
    references: [`${PSS}#baseline`],
    standards: ['PSS baseline: Seccomp'],
    equivalents: { trivy: ['KSV104'] },
    cwe: ['CWE-693'],
    pod: (p) =>
      eachContainer(p, (c) => {
        const t = seccompType(p, c);
        return t === '' || t.toLowerCase() === 'unconfined'
          ? { message: `${label(p, c)} runs without a seccomp profile` }
          : undefined;
      }),
  },
  {
    id: 'k8s-service-account-token',
    title: 'Service account token mounted explicitly',
    severity: 'medium',
    description:
      'A pod that does not call the Kubernetes API should not get a service account token: a compromised container would use it against the API server.',
    remediation:
      'Set `automountServiceAccountToken: false` on the pod (or its service account) unless it calls the API.',
    references: ['https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/'],
    standards: ['CIS Kubernetes 5.1.6'],
    equivalents: { trivy: ['KSV036'] },
    cwe: ['CWE-522'],
    pod: (p) => {
      if (p.spec.automountServiceAccountToken === true)
        return [
          {
            path: [...p.specPath, 'automountServiceAccountToken'],
            message: `${p.object.kind} "${p.object.name}" sets automountServiceAccountToken: true`,
            subject: 'automount',
          },
        ];
      if (p.spec.automountServiceAccountToken === false) return [];
      return eachContainer(p, (c) => {
        const i = asArray(c.container.volumeMounts).findIndex(
          (m) =>
            (asString(get(m, 'mountPath')) ?? '').replace(/\/$/, '') ===
            '/var/run/secrets/kubernetes.io/serviceaccount',
        );
        return i >= 0
          ? { message: `${label(p, c)} mounts the service account token`, field: ['volumeMounts', i] }
          : undefined;
      });
    },
  },
  {
    id: 'k8s-kube-system-namespace',
    title: 'User resource in the kube-system namespace',
    severity: 'medium',
    description:
      'kube-system holds the cluster’s own components; user resources there share their privileges and are easy to overlook.',
    remediation: 'Deploy user workloads in their own namespace.',
    references: ['https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/'],
    equivalents: { trivy: ['KSV037'] },
    cwe: ['CWE-653'],
    object: (o) =>
      o.namespace === 'kube-system'
        ? [
            {
              path: [...o.path, 'metadata', 'namespace'],
              message: `${o.kind} "${o.name}" is in kube-system`,
              subject: 'namespace',
            },
          ]
        : [],
  },
  {
    id: 'k8s-default-namespace',
    title: 'Workload in the default namespace',
    severity: 'low',
    description:
      'The default namespace has no isolation policies of its own; workloads should live in dedicated namespaces with their own RBAC, quotas and network policies.',
    remediation: 'Set `metadata.namespace` to a dedicated namespace.',
    references: ['https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/'],
    standards: ['CIS Kubernetes 5.7.4'],
    equivalents: { trivy: ['KSV110'] },
    cwe: ['CWE-653'],
    pod: (p) =>
      p.object.namespace === 'default'
        ? [
            {
              path: [...p.object.path, 'metadata', 'namespace'],
              message: `${p.object.kind} "${p.object.name}" is in the default namespace`,
              subject: 'namespace',
            },
          ]
        : [],
  },
  {
    id: 'k8s-run-as-root-uid',
    title: 'runAsUser set to 0',
    severity: 'low',
    description: 'Setting `runAsUser: 0` explicitly runs the container as root.',
    remediation: 'Set `runAsUser` to a non-zero UID.',
    references: [`${PSS}#restricted`],
    standards: ['PSS restricted: Running as Non-root user'],
    equivalents: { trivy: ['KSV105'] },
    cwe: ['CWE-250'],
    pod: (p) => {
      const podRoot = num(podSc(p).runAsUser) === 0;
      return eachContainer(p, (c) =>
        num(sc(c).runAsUser) === 0 || (podRoot && sc(c).runAsUser === undefined)
          ? { message: `${label(p, c)} runs as UID 0` }
          : undefined,
      );
    },
  },
  {
    id: 'k8s-root-group',
    title: 'Root primary or supplementary GID not ruled out',
    severity: 'low',
    description:
      'Unless the pod sets `runAsGroup`, `fsGroup` and `supplementalGroups` to non-zero values, its processes can run with GID 0 (the image default or an explicit 0) and get the root group’s access to files.',
    remediation:
      'Set `spec.securityContext.runAsGroup`, `fsGroup` and `supplementalGroups` to values greater than 0 (and no container `runAsGroup: 0`).',
    references: [`${PSS}#restricted`],
    equivalents: { trivy: ['KSV116'] },
    cwe: ['CWE-250'],
    pod: (p) => {
      const s = podSc(p);
      const positive = (v: Json | undefined) => (num(v) ?? 0) > 0;
      const groups = asArray(s.supplementalGroups);
      const containerRoot = p.containers.filter((c) => num(sc(c).runAsGroup) === 0);
      const missing = [
        ...(positive(s.runAsGroup) ? [] : ['runAsGroup']),
        ...(positive(s.fsGroup) ? [] : ['fsGroup']),
        ...(groups.length > 0 && groups.every(positive) ? [] : ['supplementalGroups']),
      ];
      const out: K8sHit[] = [];
      if (missing.length)
        out.push({
          path: [...p.specPath, 'securityContext'],
          message: `${p.object.kind} "${p.object.name}" does not set ${missing.join(', ')} to a non-zero GID`,
          subject: 'pod',
        });
      for (const c of containerRoot)
        out.push({
          path: [...c.path, 'securityContext', 'runAsGroup'],
          message: `${label(p, c)} runs with GID 0`,
          subject: `${c.group}/${c.name}`,
        });
      return out;
    },
  },
  {
    id: 'k8s-windows-host-process',
    title: 'Windows HostProcess container',
    severity: 'high',
    description: 'A Windows HostProcess container runs with the node’s privileges.',
    remediation: 'Remove `windowsOptions.hostProcess: true`.',
    references: [`${PSS}#baseline`],
    standards: ['PSS baseline: HostProcess'],
    equivalents: { trivy: ['KSV103'] },
    cwe: ['CWE-250'],
    pod: (p) => {
      const podHp = get(p.spec, 'securityContext', 'windowsOptions', 'hostProcess') === true;
      return eachContainer(p, (c) =>
        podHp || get(sc(c), 'windowsOptions', 'hostProcess') === true
          ? { message: `${label(p, c)} is a HostProcess container` }
          : undefined,
      );
    },
  },
  {
    id: 'k8s-untrusted-registry',
    title: 'Image from a registry outside the trusted list',
    severity: 'medium',
    description:
      'Images should come only from registries the organisation controls or trusts (e.g. its Azure Container Registry), where they are scanned and signed. Active when `misconfig.trustedRegistries` is configured.',
    remediation:
      'Mirror the image into a trusted registry and reference it from there, or add the registry to `misconfig.trustedRegistries`.',
    references: ['https://learn.microsoft.com/azure/aks/concepts-security#image-security'],
    standards: ['CIS Kubernetes 5.5.1'],
    equivalents: { trivy: ['KSV0125'] },
    cwe: ['CWE-829'],
    pod: (p, opts) =>
      opts.trustedRegistries.length === 0
        ? []
        : eachContainer(p, (c) => {
            const image = asString(c.container.image);
            return image && !isTrustedImage(image, opts.trustedRegistries)
              ? {
                  message: `${label(p, c)} uses image "${image}" from an untrusted registry`,
                  field: ['image'],
                }
              : undefined;
          }),
  },
  {
    id: 'k8s-env-literal-secret',
    title: 'Secret in a literal environment value',
    severity: 'high',
    description:
      'A credential written as a literal `env[].value` is stored in the manifest, in git and in the API server in clear, readable by anyone who can read the workload.',
    remediation:
      'Move the value to a Secret (ideally synced from a vault) and reference it with `valueFrom.secretKeyRef`.',
    references: [
      'https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables',
    ],
    cwe: ['CWE-798'],
    pod: (p) =>
      p.containers.flatMap((c) =>
        asArray(c.container.env).flatMap((e, i) => {
          const name = asString(get(e, 'name')) ?? '';
          const value = asString(get(e, 'value'));
          if (!value || !SENSITIVE_ENV.test(name) || !looksLikeSecretValue(value)) return [];
          return [
            {
              path: [...c.path, 'env', i, 'value'],
              message: `${label(p, c)} sets ${name} to a literal value (${maskSecret(value)})`,
              subject: `${c.group}/${c.name}/env/${name}`,
            },
          ];
        }),
      ),
  },
  {
    id: 'k8s-probes-missing',
    title: 'Container without readiness or liveness probe',
    severity: 'info',
    description:
      'Without probes Kubernetes routes traffic to containers that are not ready and never restarts hung ones.',
    remediation: 'Define `readinessProbe` and `livenessProbe` for long-running containers.',
    references: [
      'https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/',
    ],
    pod: (p) => {
      const kind = p.object.kind.toLowerCase();
      if (kind === 'job' || kind === 'cronjob' || kind === 'pod') return [];
      return eachContainer(p, (c) =>
        c.group === 'containers' &&
        (c.container.readinessProbe === undefined || c.container.livenessProbe === undefined)
          ? {
              message: `${label(p, c)} lacks a ${c.container.readinessProbe === undefined ? 'readiness' : 'liveness'} probe`,
            }
          : undefined,
      );
    },
  },
  // ----- Objects other than pods -----
  {
    id: 'k8s-service-external-ips',
    title: 'Service with external IPs',
    severity: 'high',
    description:
      'Service `externalIPs` let anyone who can create Services intercept traffic to those IPs (CVE-2020-8554); only allowlisted addresses should appear.',
    remediation:
      'Remove `spec.externalIPs` (use a LoadBalancer or Ingress), or add the addresses to the allowlist `misconfig.allowedExternalIPs`.',
    references: [
      'https://kubernetes.io/docs/concepts/services-networking/service/#external-ips',
      'https://github.com/kubernetes/kubernetes/issues/97076',
    ],
    equivalents: { trivy: ['KSV108'] },
    cwe: ['CWE-284'],
    object: (o, opts) => {
      if (o.kind !== 'Service') return [];
      const ips = asArray(get(o.value, 'spec', 'externalIPs'))
        .map((x) => asString(x) ?? '')
        .filter((ip) => !ipAllowed(ip, opts.allowedExternalIPs));
      return ips.length
        ? [
            {
              path: [...o.path, 'spec', 'externalIPs'],
              message: `Service "${o.name}" sets externalIPs ${ips.join(', ')} (not in the allowlist)`,
              subject: 'externalIPs',
            },
          ]
        : [];
    },
  },
  {
    id: 'k8s-service-external-name',
    title: 'Service of type ExternalName',
    severity: 'medium',
    description:
      'An ExternalName Service makes cluster DNS answer with any host name, including internal or other tenants’ endpoints (CVE-2021-25740); ingress controllers may proxy to it.',
    remediation:
      'Prefer a Service with selectors or explicit Endpoints; restrict who can create ExternalName Services.',
    references: [
      'https://kubernetes.io/docs/concepts/services-networking/service/#externalname',
      'https://github.com/kubernetes/kubernetes/issues/103675',
    ],
    equivalents: { trivy: ['KSV108'] },
    cwe: ['CWE-441'],
    object: (o) =>
      o.kind === 'Service' && asString(get(o.value, 'spec', 'type')) === 'ExternalName'
        ? [
            {
              path: [...o.path, 'spec', 'type'],
              message: `Service "${o.name}" is of type ExternalName (${asString(get(o.value, 'spec', 'externalName')) ?? '?'})`,
              subject: 'externalName',
            },
          ]
        : [],
  },
  {
    id: 'k8s-configmap-sensitive',
    title: 'ConfigMap with sensitive content',
    severity: 'high',
    description:
      'ConfigMaps are not meant for secrets: they are readable by more roles, never encrypted at rest and printed by tooling.',
    remediation: 'Move passwords, tokens and keys to a Secret (ideally synced from a vault).',
    references: ['https://kubernetes.io/docs/concepts/configuration/configmap/'],
    equivalents: { trivy: ['KSV01010'] },
    cwe: ['CWE-312'],
    object: (o) => {
      if (o.kind !== 'ConfigMap') return [];
      const data = rec(o.value.data);
      return Object.entries(data).flatMap(([k, v]) => {
        const s = asString(v);
        return SENSITIVE_KEY.test(k) && s !== undefined && looksLikeSecretValue(s)
          ? [
              {
                path: [...o.path, 'data', k],
                message: `ConfigMap "${o.name}" key "${k}" looks like a secret`,
                subject: `data/${k}`,
              },
            ]
          : [];
      });
    },
  },
  rbacCheck(
    {
      id: 'k8s-rbac-wildcard-verb-resource',
      title: 'Role with wildcard verbs on wildcard resources',
      severity: 'critical',
      description: 'A rule granting every verb on every resource is cluster-admin in disguise.',
      remediation: 'List the exact resources and verbs the subject needs.',
      references: [RBAC_DOC],
      standards: ['CIS Kubernetes 5.1.3'],
      equivalents: { trivy: ['KSV044'] },
      cwe: ['CWE-269'],
    },
    (r) => (r.verbs.includes('*') && r.resources.includes('*') ? 'grants * on *' : undefined),
  ),
  rbacCheck(
    {
      id: 'k8s-rbac-wildcard-verb',
      title: 'Role with wildcard verbs',
      severity: 'critical',
      description:
        'A wildcard verb also grants verbs added in future versions (escalate, bind, impersonate…).',
      remediation: 'List the exact verbs needed.',
      references: [RBAC_DOC],
      standards: ['CIS Kubernetes 5.1.3'],
      equivalents: { trivy: ['KSV045'] },
      cwe: ['CWE-269'],
    },
    (r) => (r.verbs.includes('*') ? 'grants verb *' : undefined),
  ),
  rbacCheck(
    {
      id: 'k8s-rbac-wildcard-resource',
      title: 'Role managing all resources',
      severity: 'critical',
      description:
        'A wildcard resource grants access to every resource type, including secrets and RBAC objects.',
      remediation: 'List the exact resources needed.',
      references: [RBAC_DOC],
      standards: ['CIS Kubernetes 5.1.3'],
      equivalents: { trivy: ['KSV046'] },
      cwe: ['CWE-269'],
    },
    (r) =>
      r.resources.includes('*') && !r.verbs.every((v) => READ_VERBS.includes(v) && v !== '*')
        ? 'manages resources *'
        : undefined,
  ),
  rbacCheck(
    {
      id: 'k8s-rbac-secrets',
      title: 'Role can read secrets',
      severity: 'critical',
      description: 'Reading Secrets exposes every credential in the namespace (or cluster).',
      remediation: 'Remove get/list/watch on `secrets`, or restrict it with `resourceNames`.',
      references: [RBAC_DOC],
      standards: ['CIS Kubernetes 5.1.2'],
      equivalents: { trivy: ['KSV041'] },
      cwe: ['CWE-269'],
    },
    (r) =>
      has(r.resources, 'secrets', '*') &&
      has(r.verbs, ...READ_VERBS) &&
      !(r.resources.includes('*') && r.verbs.includes('*')) &&
      has(r.apiGroups, '', '*')
        ? 'can read secrets'
        : undefined,
  ),
  rbacCheck(
    {
      id: 'k8s-rbac-pod-exec',
      title: 'Role can exec into pods',
      severity: 'high',
      description:
        '`pods/exec` lets the subject run commands in any pod it can reach, with that pod’s service account.',
      remediation: 'Remove `pods/exec` (and `pods/attach`) unless strictly needed.',
      references: [RBAC_DOC],
      equivalents: { trivy: ['KSV053'] },
      cwe: ['CWE-269'],
    },
    (r) =>
      has(r.resources, 'pods/exec') && has(r.verbs, 'create', 'get', '*') ? 'can exec into pods' : undefined,
  ),
  {
    id: 'k8s-cluster-admin-binding',
    title: 'Binding to cluster-admin',
    severity: 'medium',
    description: 'Binding the cluster-admin role gives the subjects full control of the cluster.',
    remediation: 'Bind a role with only the permissions needed.',
    references: [RBAC_DOC],
    standards: ['CIS Kubernetes 5.1.1'],
    equivalents: { trivy: ['KSV111'] },
    cwe: ['CWE-269'],
    object: (o) =>
      (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') &&
      asString(get(o.value, 'roleRef', 'name')) === 'cluster-admin'
        ? [
            {
              path: [...o.path, 'roleRef'],
              message: `${o.kind} "${o.name}" binds cluster-admin`,
              subject: 'roleRef',
            },
          ]
        : [],
  },
  bindingSubjectCheck('k8s-binding-anonymous', 'KSV122', 'system:anonymous', 'Binding to the anonymous user'),
  bindingSubjectCheck(
    'k8s-binding-unauthenticated',
    'KSV01011',
    'system:unauthenticated',
    'Binding to system:unauthenticated',
  ),
  bindingSubjectCheck('k8s-binding-masters', 'KSV0123', 'system:masters', 'Binding to system:masters'),
];

export function isWorkloadKind(kind: string): boolean {
  return WORKLOAD_KINDS.has(kind.toLowerCase());
}
