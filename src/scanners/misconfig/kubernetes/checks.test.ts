import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { scanKubernetes } from './index.js';
import { kubernetesChecks } from './checks.js';
import type { MisconfigOptions } from '../options.js';

const OPTS: MisconfigOptions = {
  trustedRegistries: ['registry.example.com'],
  allowedExternalIPs: ['10.0.0.0/8'],
};

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A Deployment that passes every check: each case below breaks exactly one thing. */
function hardened(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      replicas: 2,
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            supplementalGroups: [10001],
            seccompProfile: { type: 'RuntimeDefault' },
          },
          volumes: [{ name: 'tmp', emptyDir: {} }],
          containers: [
            {
              name: 'app',
              image: 'registry.example.com/app:1.2.3',
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              resources: {
                requests: { cpu: '100m', memory: '128Mi' },
                limits: { cpu: '500m', memory: '256Mi' },
              },
              readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
              livenessProbe: { httpGet: { path: '/live', port: 8080 } },
              ports: [{ containerPort: 8080 }],
              env: [{ name: 'LOG_LEVEL', value: 'info' }],
            },
          ],
        },
      },
    },
  };
}
const pod = (o: Obj) => o.spec.template.spec as Obj;
const ctr = (o: Obj) => pod(o).containers[0] as Obj;

function ids(doc: Obj | Obj[] | string): string[] {
  const text =
    typeof doc === 'string' ? doc : (Array.isArray(doc) ? doc : [doc]).map((d) => stringify(d)).join('---\n');
  return scanKubernetes(text, OPTS).violations.map((v) => v.checkId);
}

/** check id → a mutation of the hardened Deployment (or a whole other object) that must trigger it. */
const positives: Record<string, (o: Obj) => Obj | void> = {
  'k8s-privileged': (o) => void (ctr(o).securityContext.privileged = true),
  'k8s-allow-privilege-escalation': (o) => void delete ctr(o).securityContext.allowPrivilegeEscalation,
  'k8s-apparmor-disabled': (o) =>
    void (o.spec.template.metadata.annotations = {
      'container.apparmor.security.beta.kubernetes.io/app': 'unconfined',
    }),
  'k8s-capabilities-drop-all': (o) => void (ctr(o).securityContext.capabilities.drop = ['NET_RAW']),
  'k8s-cap-sys-admin': (o) => void (ctr(o).securityContext.capabilities.add = ['SYS_ADMIN']),
  'k8s-cap-net-raw': (o) => void (ctr(o).securityContext.capabilities.add = ['NET_RAW']),
  'k8s-cap-sys-module': (o) => void (ctr(o).securityContext.capabilities.add = ['CAP_SYS_MODULE']),
  'k8s-capabilities-added': (o) => void (ctr(o).securityContext.capabilities.add = ['CHOWN']),
  'k8s-capabilities-restricted': (o) => void (ctr(o).securityContext.capabilities.add = ['CHOWN']),
  'k8s-hostpath-docker-socket': (o) =>
    void pod(o).volumes.push({ name: 'sock', hostPath: { path: '/var/run/docker.sock' } }),
  'k8s-host-ipc': (o) => void (pod(o).hostIPC = true),
  'k8s-host-network': (o) => void (pod(o).hostNetwork = true),
  'k8s-host-pid': (o) => void (pod(o).hostPID = true),
  'k8s-cpu-limit': (o) => void delete ctr(o).resources.limits.cpu,
  'k8s-cpu-request': (o) => void delete ctr(o).resources.requests.cpu,
  'k8s-memory-request': (o) => void delete ctr(o).resources.requests.memory,
  'k8s-memory-limit': (o) => void delete ctr(o).resources.limits.memory,
  'k8s-run-as-non-root': (o) => void delete pod(o).securityContext.runAsNonRoot,
  'k8s-image-latest': (o) => void (ctr(o).image = 'nginx:latest'),
  'k8s-read-only-root-fs': (o) => void (ctr(o).securityContext.readOnlyRootFilesystem = false),
  'k8s-run-as-user-low': (o) => void (pod(o).securityContext.runAsUser = 1000),
  'k8s-run-as-group-low': (o) => void delete pod(o).securityContext.runAsGroup,
  'k8s-hostpath': (o) => void pod(o).volumes.push({ name: 'logs', hostPath: { path: '/var/log' } }),
  'k8s-host-port': (o) => void (ctr(o).ports = [{ containerPort: 8080, hostPort: 8080 }]),
  'k8s-selinux-custom': (o) => void (ctr(o).securityContext.seLinuxOptions = { user: 'system_u' }),
  'k8s-unsafe-sysctls': (o) =>
    void (pod(o).securityContext.sysctls = [{ name: 'kernel.msgmax', value: '65536' }]),
  'k8s-proc-mount': (o) => void (ctr(o).securityContext.procMount = 'Unmasked'),
  'k8s-non-core-volume': (o) => void pod(o).volumes.push({ name: 'nfs', nfs: { server: 'nfs', path: '/' } }),
  'k8s-seccomp-not-runtime-default': (o) => void (pod(o).securityContext.seccompProfile.type = 'Unconfined'),
  'k8s-seccomp-unconfined': (o) => void delete pod(o).securityContext.seccompProfile,
  'k8s-service-account-token': (o) => void (pod(o).automountServiceAccountToken = true),
  'k8s-kube-system-namespace': (o) => void (o.metadata.namespace = 'kube-system'),
  'k8s-default-namespace': (o) => void (o.metadata.namespace = 'default'),
  'k8s-run-as-root-uid': (o) => void (ctr(o).securityContext.runAsUser = 0),
  'k8s-root-group': (o) => void (pod(o).securityContext.fsGroup = 0),
  'k8s-windows-host-process': (o) => void (ctr(o).securityContext.windowsOptions = { hostProcess: true }),
  'k8s-untrusted-registry': (o) => void (ctr(o).image = 'nginx:1.25'),
  'k8s-env-literal-secret': (o) => void ctr(o).env.push({ name: 'DB_PASSWORD', value: 'hunter2-Xq9v!' }),
  'k8s-probes-missing': (o) => void delete ctr(o).livenessProbe,
  'k8s-service-external-ips': () => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: { externalIPs: ['1.2.3.4'], ports: [{ port: 80 }] },
  }),
  'k8s-service-external-name': () => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: { type: 'ExternalName', externalName: 'db.example.com' },
  }),
  'k8s-configmap-sensitive': () => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c' },
    data: { db_password: 'Sup3rS3cret!' },
  }),
  'k8s-rbac-wildcard-verb-resource': () => role([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
  'k8s-rbac-wildcard-verb': () => role([{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }]),
  'k8s-rbac-wildcard-resource': () => role([{ apiGroups: [''], resources: ['*'], verbs: ['create'] }]),
  'k8s-rbac-secrets': () => role([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]),
  'k8s-rbac-pod-exec': () => role([{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }]),
  'k8s-cluster-admin-binding': () => binding('cluster-admin', 'alice', 'User'),
  'k8s-binding-anonymous': () => binding('view', 'system:anonymous', 'User'),
  'k8s-binding-unauthenticated': () => binding('view', 'system:unauthenticated', 'Group'),
  'k8s-binding-masters': () => binding('view', 'system:masters', 'Group'),
};
function role(rules: Obj[]): Obj {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules };
}
function binding(roleName: string, subject: string, kind: string): Obj {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'b' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: [{ kind, name: subject }],
  };
}
/** Well-configured non-workload objects: the negatives of the object checks. */
const benignObjects: Obj[] = [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace: 'shop' },
    spec: { type: 'ClusterIP', selector: { app: 'web' }, ports: [{ port: 80 }] },
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'shop' },
    data: { LOG_LEVEL: 'info', password_file: '/run/secrets/db' },
  },
  role([{ apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['get', 'list', 'watch'] }]),
  binding('view', 'shop-reader', 'Group'),
];

describe('kubernetes checks', () => {
  it('the hardened Deployment and benign objects raise nothing (negative case of every check)', () => {
    assert.deepEqual(ids([hardened(), ...benignObjects]), []);
  });

  it('every check has a positive case', () => {
    const missing = kubernetesChecks.map((c) => c.id).filter((id) => !positives[id]);
    assert.deepEqual(missing, []);
  });

  for (const [id, mutate] of Object.entries(positives)) {
    it(`${id}: fires on its positive case`, () => {
      const o = hardened();
      const replaced = mutate(o);
      assert.ok(ids(replaced ?? o).includes(id), `${id} not reported`);
    });
  }

  it('externalIPs inside the allowlist and trusted images are accepted; without a trusted list nothing is untrusted', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { externalIPs: ['10.1.2.3'], ports: [{ port: 80 }] },
    };
    assert.ok(!ids(svc).includes('k8s-service-external-ips'));
    const o = hardened();
    ctr(o).image = 'nginx:1.25';
    assert.ok(!scanKubernetes(stringify(o)).violations.some((v) => v.checkId === 'k8s-untrusted-registry'));
  });

  it('pod-level securityContext values are inherited by containers', () => {
    const o = hardened();
    pod(o).securityContext.runAsUser = 20000;
    assert.ok(!ids(o).includes('k8s-run-as-user-low'));
    ctr(o).securityContext.runAsUser = 1000;
    assert.ok(ids(o).includes('k8s-run-as-user-low'));
  });

  it('checks the pod template of a CronJob and the items of a List', () => {
    const d = hardened();
    const tpl = d.spec.template;
    ctr(d).securityContext.privileged = true;
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c', namespace: 'shop' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: tpl } } },
    };
    assert.ok(ids(cron).includes('k8s-privileged'));
    const list = { apiVersion: 'v1', kind: 'List', items: [d] };
    assert.ok(ids(list).includes('k8s-privileged'));
  });

  it('ignores unknown kinds and CRDs', () => {
    const crd = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: { containers: [{ name: 'x', image: 'x', securityContext: { privileged: true } }] },
    };
    assert.deepEqual(ids(crd), []);
  });

  it('reports findings at the line of the offending field', () => {
    const o = hardened();
    ctr(o).securityContext.privileged = true;
    const text = stringify(o);
    const v = scanKubernetes(text).violations.find((x) => x.checkId === 'k8s-privileged')!;
    assert.match(text.split('\n')[v.startLine - 1]!, /privileged: true/);
  });

  it('a YAML syntax error is a parse-error finding and later documents are still checked', () => {
    const text =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: a\n---\n' +
      stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'b' },
        spec: { hostPID: true, containers: [] },
      });
    const v = scanKubernetes(text).violations;
    assert.ok(v.some((x) => x.checkId === 'parse-error' && x.startLine >= 3));
    assert.ok(v.some((x) => x.checkId === 'k8s-host-pid'));
  });

  it('a billion-laughs document is refused quickly, not expanded', () => {
    const bomb = ['apiVersion: v1', 'kind: ConfigMap', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const t0 = Date.now();
    const v = scanKubernetes(bomb.join('\n')).violations;
    assert.ok(Date.now() - t0 < 2000);
    assert.ok(v.some((x) => x.checkId === 'parse-error'));
  });

  it('skips oversized manifests with a reason', () => {
    const r = scanKubernetes(
      'apiVersion: v1\nkind: ConfigMap\ndata:\n  a: "' + 'x'.repeat(9 * 1024 * 1024) + '"\n',
    );
    assert.match(r.skipped ?? '', /larger than/);
  });

  it('never prints a literal env secret whole', () => {
    const o = hardened();
    ctr(o).env.push({ name: 'API_TOKEN', value: 'tok_live_abcdefghijklmnop' });
    const v = scanKubernetes(stringify(o)).violations.find((x) => x.checkId === 'k8s-env-literal-secret')!;
    assert.ok(!v.message.includes('tok_live_abcdefghijklmnop'));
  });
});
