/**
 * Realistic AdmissionReviews as the API server sends them (defaulted fields, service-account volume,
 * tolerations, owner references): a compliant and a non-compliant Pod, a compliant and a
 * non-compliant Deployment. Compliant = passes the restricted and best-practices packs.
 */

type Obj = Record<string, unknown>;

function goodContainer(name: string, image: string, port: number): Obj {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    ],
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    livenessProbe: {
      httpGet: { path: '/healthz', port, scheme: 'HTTP' },
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: '/readyz', port, scheme: 'HTTP' },
      periodSeconds: 5,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    },
    volumeMounts: [
      { name: 'tmp', mountPath: '/tmp' },
      {
        name: 'kube-api-access-7xk2q',
        mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
        readOnly: true,
      },
    ],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}

function goodPodSpec(): Obj {
  return {
    serviceAccountName: 'web',
    automountServiceAccountToken: true,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [
      goodContainer('web', 'registry.example.com/shop/web:1.4.2', 8080),
      goodContainer('metrics-proxy', 'registry.example.com/platform/metrics-proxy:0.9.1', 9090),
    ],
    volumes: [
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
      {
        name: 'kube-api-access-7xk2q',
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            {
              downwardAPI: {
                items: [
                  { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
                ],
              },
            },
          ],
        },
      },
    ],
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    terminationGracePeriodSeconds: 30,
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
    priority: 0,
    tolerations: [
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ],
  };
}

function badPodSpec(): Obj {
  return {
    containers: [
      {
        name: 'nginx',
        image: 'nginx:latest',
        ports: [{ containerPort: 80, hostPort: 80, protocol: 'TCP' }],
        securityContext: { capabilities: { add: ['NET_ADMIN'] } },
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'Always',
      },
    ],
    volumes: [{ name: 'host', hostPath: { path: '/var/log', type: '' } }],
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    terminationGracePeriodSeconds: 30,
  };
}

function review(
  uid: string,
  kind: { group: string; version: string; kind: string },
  resource: string,
  object: Obj,
): Obj {
  const meta = object.metadata as Obj;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind,
      resource: { group: kind.group, version: kind.version, resource },
      requestKind: kind,
      requestResource: { group: kind.group, version: kind.version, resource },
      name: meta.name,
      namespace: meta.namespace,
      operation: 'CREATE',
      userInfo: {
        username:
          kind.kind === 'Pod'
            ? 'system:serviceaccount:kube-system:replicaset-controller'
            : 'ci-deployer@example.com',
        uid: 'b6a8c3a4-1f0e-4c55-9d51-4f4c3f3e2a10',
        groups:
          kind.kind === 'Pod'
            ? ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated']
            : ['deployers', 'system:authenticated'],
      },
      object,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

function pod(name: string, spec: Obj): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: name.replace(/[a-z0-9]{5}$/, ''),
      namespace: 'shop',
      labels: { app: 'web', 'pod-template-hash': '7d9f8b6c5', 'app.kubernetes.io/part-of': 'shop' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-7d9f8b6c5',
          uid: '0b5f1e4c-35a2-4f0f-8f9a-1d5b0a3c2e71',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec,
  };
}

function deployment(name: string, spec: Obj): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: 'shop',
      labels: { app: name, 'app.kubernetes.io/part-of': 'shop' },
      annotations: { 'deployment.kubernetes.io/revision': '1' },
    },
    spec: {
      replicas: 3,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: name, 'app.kubernetes.io/part-of': 'shop' } }, spec },
    },
  };
}

const POD = { group: '', version: 'v1', kind: 'Pod' };
const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };

export interface BenchReview {
  label: string;
  body: string;
}

export function benchReviews(): BenchReview[] {
  return [
    {
      label: 'Pod, compliant',
      body: JSON.stringify(
        review(
          '7c1d2b4e-0001-4a8e-9d2f-5b3c6a7e8f90',
          POD,
          'pods',
          pod('web-7d9f8b6c5-x2k4p', goodPodSpec()),
        ),
      ),
    },
    {
      label: 'Deployment, compliant',
      body: JSON.stringify(
        review(
          '7c1d2b4e-0002-4a8e-9d2f-5b3c6a7e8f90',
          DEPLOYMENT,
          'deployments',
          deployment('web', goodPodSpec()),
        ),
      ),
    },
    {
      label: 'Pod, non-compliant',
      body: JSON.stringify(
        review(
          '7c1d2b4e-0003-4a8e-9d2f-5b3c6a7e8f90',
          POD,
          'pods',
          pod('nginx-5c7b9f6d8-q9w8e', badPodSpec()),
        ),
      ),
    },
    {
      label: 'Deployment, non-compliant',
      body: JSON.stringify(
        review(
          '7c1d2b4e-0004-4a8e-9d2f-5b3c6a7e8f90',
          DEPLOYMENT,
          'deployments',
          deployment('nginx', badPodSpec()),
        ),
      ),
    },
  ];
}
