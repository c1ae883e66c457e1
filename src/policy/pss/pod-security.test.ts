import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { KubeObject } from '../engine/types.js';
import { evaluatePodSecurity, evaluatePodSecurityRule, type PodSecurityOptions } from './index.js';
import { wildcardMatch } from './wildcard.js';

const subrulePolicy = parse(
  readFileSync(new URL('./fixtures/subrule-baseline.yaml', import.meta.url), 'utf8'),
) as {
  spec: { rules: KubeObject[] };
};
const baselineRule = subrulePolicy.spec.rules[0] as KubeObject;

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'test', ...metadata }, spec };
}

function container(
  name: string,
  image: string,
  securityContext?: Record<string, unknown>,
): Record<string, unknown> {
  return securityContext ? { name, image, securityContext } : { name, image };
}

function controls(resource: KubeObject, options: PodSecurityOptions): string[] {
  const result = evaluatePodSecurity(resource, options);
  assert.equal(result.error, undefined);
  return [...new Set(result.violations.map((v) => v.control))].sort();
}

/** Fully restricted-compliant container security context. */
const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

describe('validate.podSecurity (kyverno/policies podsecurity-subrule-baseline)', () => {
  it('fails badpod01 (hostIPC) with Kyverno’s message and passes goodpod01', () => {
    const bad = evaluatePodSecurityRule(
      baselineRule,
      pod({ hostIPC: true, containers: [container('container01', 'dummyimagename')] }, { name: 'badpod01' }),
    );
    assert.equal(bad.status, 'fail');
    assert.equal(
      bad.message,
      `Validation rule 'baseline' failed. It violates PodSecurity "baseline:latest": ` +
        '(Forbidden reason: host namespaces, field error list: [spec.hostIPC is forbidden, forbidden values found: true])',
    );
    assert.deepEqual(
      bad.violations.map((v) => v.control),
      ['Host Namespaces'],
    );
    const good = evaluatePodSecurityRule(
      baselineRule,
      pod({ containers: [container('container01', 'dummyimagename')] }),
    );
    assert.deepEqual(
      { status: good.status, message: good.message },
      { status: 'pass', message: "Validation rule 'baseline' passed." },
    );
  });

  it('reports a privileged container as in the Kyverno documentation', () => {
    const result = evaluatePodSecurityRule(
      baselineRule,
      pod({ containers: [container('privileged-pod', 'nginx', { privileged: true })] }),
    );
    assert.equal(
      result.message,
      `Validation rule 'baseline' failed. It violates PodSecurity "baseline:latest": (Forbidden reason: privileged, ` +
        'field error list: [spec.containers[0].securityContext.privileged is forbidden, forbidden values found: true])',
    );
    assert.deepEqual(result.violations[0]?.images, ['nginx']);
  });

  it('evaluates the pod template of controllers (autogen copies podSecurity unchanged)', () => {
    const template = {
      metadata: { labels: { app: 'x' } },
      spec: { hostPID: true, containers: [container('c', 'nginx')] },
    };
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { template },
    };
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cj' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } },
    };
    assert.equal(evaluatePodSecurityRule(baselineRule, deployment).status, 'fail');
    assert.equal(evaluatePodSecurityRule(baselineRule, cronJob).status, 'fail');
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} };
    assert.equal(evaluatePodSecurityRule(baselineRule, service).status, 'error');
  });

  it('uses the old object on DELETE', () => {
    const old = pod({ hostNetwork: true, containers: [container('c', 'nginx')] });
    assert.equal(
      evaluatePodSecurityRule(baselineRule, null, { operation: 'DELETE', oldObject: old }).status,
      'fail',
    );
  });
});

describe('Pod Security Standards controls', () => {
  it('restricted: a bare container violates privilege escalation, non-root, seccomp and capabilities', () => {
    const bare = pod({ containers: [container('c', 'nginx')] });
    assert.deepEqual(controls(bare, { level: 'restricted', version: 'latest' }), [
      'Capabilities',
      'Privilege Escalation',
      'Running as Non-root',
      'Seccomp',
    ]);
    assert.deepEqual(controls(bare, { level: 'baseline', version: 'latest' }), []);
    const message = evaluatePodSecurityRule(
      { name: 'r', validate: { podSecurity: { level: 'restricted', version: 'latest' } } },
      bare,
    ).message;
    assert.match(
      message,
      /\(Forbidden reason: allowPrivilegeEscalation != false, field error list: \[spec\.containers\[0\]\.securityContext\.allowPrivilegeEscalation: Required value\]\)/,
    );
    assert.match(message, /spec\.containers\[0\]\.securityContext\.capabilities\.drop: Required value/);
  });

  it('restricted: compliant pod passes; drop ALL with NET_BIND_SERVICE is allowed, other adds are not', () => {
    const ok = pod({ containers: [container('c', 'nginx', RESTRICTED_CONTAINER)] });
    assert.deepEqual(controls(ok, { level: 'restricted' }), []);
    const netBind = pod({
      containers: [
        container('c', 'nginx', {
          ...RESTRICTED_CONTAINER,
          capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
        }),
      ],
    });
    assert.deepEqual(controls(netBind, { level: 'restricted' }), []);
    const chown = pod({
      containers: [
        container('c', 'nginx', { ...RESTRICTED_CONTAINER, capabilities: { drop: ['ALL'], add: ['CHOWN'] } }),
      ],
    });
    assert.deepEqual(controls(chown, { level: 'restricted' }), ['Capabilities']);
    assert.deepEqual(controls(chown, { level: 'baseline' }), []);
  });

  it('restricted: runAsUser 0, pod-level runAsNonRoot, volume types', () => {
    const root = pod({ containers: [container('c', 'nginx', { ...RESTRICTED_CONTAINER, runAsUser: 0 })] });
    assert.deepEqual(controls(root, { level: 'restricted' }), ['Running as Non-root user']);
    const podLevel = pod({
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Localhost' } },
      containers: [
        container('c', 'nginx', { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }),
      ],
    });
    assert.deepEqual(controls(podLevel, { level: 'restricted' }), []);
    const volumes = pod({
      containers: [container('c', 'nginx', RESTRICTED_CONTAINER)],
      volumes: [
        { name: 'ok', emptyDir: {} },
        { name: 'nfs', nfs: { server: 's', path: '/' } },
        { name: 'hp', hostPath: { path: '/etc' } },
      ],
    });
    assert.deepEqual(controls(volumes, { level: 'restricted' }), ['HostPath Volumes', 'Volume Types']);
  });

  it('baseline: each control', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ hostNetwork: true, containers: [container('c', 'i')] }, 'Host Namespaces'],
      [{ containers: [container('c', 'i', { capabilities: { add: ['SYS_ADMIN'] } })] }, 'Capabilities'],
      [
        { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostPort: 8080 }] }] },
        'Host Ports',
      ],
      [{ containers: [container('c', 'i', { procMount: 'Unmasked' })] }, '/proc Mount Type'],
      [{ containers: [container('c', 'i', { seLinuxOptions: { type: 'spc_t' } })] }, 'SELinux'],
      [{ containers: [container('c', 'i', { seccompProfile: { type: 'Unconfined' } })] }, 'Seccomp'],
      [
        {
          securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] },
          containers: [container('c', 'i')],
        },
        'Sysctls',
      ],
      [{ containers: [container('c', 'i', { windowsOptions: { hostProcess: true } })] }, 'HostProcess'],
      [{ containers: [container('c', 'i', { appArmorProfile: { type: 'Unconfined' } })] }, 'AppArmor'],
    ];
    for (const [spec, control] of cases) {
      assert.deepEqual(controls(pod(spec), { level: 'baseline' }), [control], control);
    }
    const annotated = pod(
      { containers: [container('c', 'i')] },
      { annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' } },
    );
    assert.deepEqual(controls(annotated, { level: 'baseline' }), ['AppArmor']);
    const allowedAdd = pod({
      containers: [container('c', 'i', { capabilities: { add: ['CHOWN', 'KILL'] } })],
    });
    assert.deepEqual(controls(allowedAdd, { level: 'baseline' }), []);
  });

  it('honours the version: sysctls, SELinux types and probe hosts added over time', () => {
    const keepalive = pod({
      securityContext: { sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }] },
      containers: [container('c', 'i')],
    });
    assert.deepEqual(controls(keepalive, { level: 'baseline', version: 'latest' }), []);
    // Kyverno runs every implementation up to a pinned version (pkg/pss/evaluate.go `evaluatePSS`),
    // so at v1.29 the 1.0 allow-list still rejects the sysctl.
    assert.deepEqual(controls(keepalive, { level: 'baseline', version: 'v1.29' }), ['Sysctls']);
    assert.deepEqual(controls(keepalive, { level: 'baseline', version: 'v1.28' }), ['Sysctls']);
    const engine = pod({
      containers: [container('c', 'i', { seLinuxOptions: { type: 'container_engine_t' } })],
    });
    assert.deepEqual(controls(engine, { level: 'baseline', version: 'latest' }), []);
    assert.deepEqual(controls(engine, { level: 'baseline', version: 'v1.30' }), ['SELinux']);
    const probe = pod({
      containers: [
        { name: 'c', image: 'i', livenessProbe: { httpGet: { host: '10.0.0.1', path: '/', port: 80 } } },
      ],
    });
    assert.deepEqual(controls(probe, { level: 'baseline', version: 'latest' }), [
      'Host Probes / Lifecycle Hooks',
    ]);
    assert.deepEqual(controls(probe, { level: 'baseline', version: 'v1.33' }), []);
  });

  it('relaxes user-namespace pods at latest only (kyverno/kyverno evaluate_userns_test.go)', () => {
    const podWith = (hostUsers: boolean | undefined, securityContext: Record<string, unknown>): KubeObject =>
      pod({
        ...(hostUsers === undefined ? {} : { hostUsers }),
        securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        containers: [container('nginx', 'nginx', securityContext)],
      });
    const base = { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };
    const rootSC = { allowPrivilegeEscalation: false, runAsUser: 0, capabilities: { drop: ['ALL'] } };
    const ids = (resource: KubeObject, level: string, version: string): string[] =>
      evaluatePodSecurity(resource, { level, version })
        .violations.map((v) => v.checkId)
        .sort();
    assert.deepEqual(ids(podWith(false, rootSC), 'restricted', 'latest'), []);
    assert.deepEqual(ids(podWith(undefined, rootSC), 'restricted', 'latest'), ['runAsNonRoot', 'runAsUser']);
    assert.deepEqual(ids(podWith(false, rootSC), 'restricted', 'v1.32'), ['runAsNonRoot', 'runAsUser']);
    const unmasked = { ...base, procMount: 'Unmasked' };
    assert.deepEqual(ids(podWith(false, unmasked), 'baseline', 'latest'), []);
    assert.deepEqual(ids(podWith(true, unmasked), 'baseline', 'latest'), ['procMount']);
    assert.deepEqual(ids(podWith(false, unmasked), 'baseline', 'v1.32'), ['procMount']);
    assert.deepEqual(ids(podWith(false, unmasked), 'restricted', 'latest'), ['procMount_restricted']);
    assert.deepEqual(ids(podWith(true, unmasked), 'restricted', 'latest'), [
      'procMount',
      'procMount_restricted',
    ]);
    const excluded = evaluatePodSecurity(podWith(false, unmasked), {
      level: 'restricted',
      exclude: [{ controlName: '/proc Mount Type', images: ['nginx'] }],
    });
    assert.equal(excluded.allowed, true);
  });
});

describe('exclusions (cases from kyverno/kyverno pkg/pss/evaluate_test.go)', () => {
  const hostProcess = (value: boolean) => ({ windowsOptions: { hostProcess: value } });
  const nginx = (securityContext: Record<string, unknown>) => container('nginx', 'nginx', securityContext);

  it('container-level exclusion by image', () => {
    const spec = { securityContext: hostProcess(false), containers: [nginx(hostProcess(true))] };
    const options = {
      level: 'baseline',
      version: 'v1.24',
      exclude: [{ controlName: 'HostProcess', images: ['nginx'] }],
    };
    assert.equal(evaluatePodSecurity(pod(spec), options).allowed, true);
    const other = { containers: [container('nginx', 'nginx:1.2.3', { privileged: true })] };
    const privileged = {
      level: 'baseline',
      version: 'v1.24',
      exclude: [{ controlName: 'Privileged Containers', images: ['nginx'] }],
    };
    assert.equal(evaluatePodSecurity(pod(other), privileged).allowed, false);
    assert.equal(
      evaluatePodSecurity(pod(other), {
        ...privileged,
        exclude: [{ controlName: 'Privileged Containers', images: ['nginx*'] }],
      }).allowed,
      true,
    );
  });

  it('restrictedField + values must cover every container list that violates', () => {
    const spec = {
      containers: [nginx(hostProcess(true))],
      initContainers: [nginx(hostProcess(true))],
      ephemeralContainers: [nginx(hostProcess(true))],
    };
    const exclusion = (list: string) => ({
      controlName: 'HostProcess',
      images: ['nginx'],
      restrictedField: `spec.${list}[*].securityContext.windowsOptions.hostProcess`,
      values: ['true'],
    });
    const two = {
      level: 'baseline',
      version: 'v1.24',
      exclude: ['containers', 'initContainers'].map(exclusion),
    };
    assert.equal(evaluatePodSecurity(pod(spec), two).allowed, false);
    const three = { ...two, exclude: ['containers', 'initContainers', 'ephemeralContainers'].map(exclusion) };
    assert.equal(evaluatePodSecurity(pod(spec), three).allowed, true);
  });

  it('pod-level exclusion by control name', () => {
    const spec = { securityContext: hostProcess(true), containers: [container('nginx', 'nginx:1.2.3')] };
    assert.equal(evaluatePodSecurity(pod(spec), { level: 'baseline', version: 'v1.24' }).allowed, false);
    assert.equal(
      evaluatePodSecurity(pod(spec), {
        level: 'baseline',
        version: 'v1.24',
        exclude: [{ controlName: 'HostProcess' }],
      }).allowed,
      true,
    );
    const network = pod({ hostNetwork: true, containers: [container('nginx', 'nginx')] });
    assert.equal(
      evaluatePodSecurity(network, { level: 'baseline', exclude: [{ controlName: 'Host Namespaces' }] })
        .allowed,
      true,
    );
  });

  it('values: every offending value must match one of the patterns', () => {
    const exclude = [
      {
        controlName: 'Capabilities',
        images: ['nginx'],
        restrictedField: 'spec.containers[*].securityContext.capabilities.add',
        values: ['SYS_ADMIN'],
      },
    ];
    const adds = (add: string[]) => pod({ containers: [nginx({ capabilities: { add } })] });
    assert.equal(evaluatePodSecurity(adds(['SYS_ADMIN']), { level: 'baseline', exclude }).allowed, true);
    assert.equal(
      evaluatePodSecurity(adds(['SYS_ADMIN', 'NET_RAW']), { level: 'baseline', exclude }).allowed,
      false,
    );
  });
});

describe('hostile input', () => {
  it('never throws and reports errors', () => {
    assert.match(evaluatePodSecurity(pod({}), { level: 'baseline', version: 'v2.0' }).error ?? '', /version/);
    assert.match(evaluatePodSecurity(pod({}), { level: 'nope' }).error ?? '', /level/);
    const garbage = {
      kind: 'Pod',
      spec: { containers: 'x', volumes: [null, 3, { hostPath: 'x' }], securityContext: [] },
    };
    assert.equal(evaluatePodSecurity(garbage, { level: 'restricted' }).error, undefined);
    assert.equal(evaluatePodSecurityRule({ name: 'r' }, garbage).status, 'error');
    assert.equal(evaluatePodSecurityRule(null as unknown as KubeObject, garbage).status, 'error');
    assert.match(
      evaluatePodSecurity(null as unknown as KubeObject, { level: 'baseline' }).error ?? '',
      /failed/,
    );
    const weird = { kind: 'Deployment', spec: { template: 'nope' } };
    assert.equal(evaluatePodSecurity(weird, { level: 'baseline' }).allowed, true);
  });
});

describe('wildcardMatch', () => {
  it('matches * and ? like Kyverno', () => {
    assert.equal(wildcardMatch('nginx*', 'nginx:1.2.3'), true);
    assert.equal(wildcardMatch('nginx', 'nginx:1.2.3'), false);
    assert.equal(wildcardMatch('*/nginx:?.*', 'docker.io/nginx:1.25'), true);
    assert.equal(wildcardMatch('a*b*c', 'axxbyyc'), true);
    assert.equal(wildcardMatch('a*b*c', 'axxbyy'), false);
    assert.equal(wildcardMatch('*', ''), true);
  });

  it('stays fast on adversarial patterns', () => {
    const started = performance.now();
    assert.equal(wildcardMatch('*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000)), false);
    assert.ok(performance.now() - started < 1000);
  });
});
