/** A minimal HTTP(S) client for the webhook tests (keep-alive, custom CA, raw bodies). */
import http from 'node:http';
import https from 'node:https';

export interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  ms: number;
}

export interface Client {
  post(path: string, body: string | Buffer, headers?: Record<string, string>): Promise<Reply>;
  get(path: string): Promise<Reply>;
  close(): void;
}

export function createClient(baseUrl: string, options: { ca?: string; servername?: string; timeoutMs?: number } = {}): Client {
  const url = new URL(baseUrl);
  const isHttps = url.protocol === 'https:';
  const agent = isHttps
    ? new https.Agent({ keepAlive: true, maxSockets: 64, ...(options.ca ? { ca: options.ca } : {}) })
    : new http.Agent({ keepAlive: true, maxSockets: 64 });
  const request = (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const started = performance.now();
      const req = (isHttps ? https : http).request(
        {
          method,
          hostname: url.hostname,
          port: url.port,
          path,
          agent,
          headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
          ...(options.servername ? { servername: options.servername } : {}),
          timeout: options.timeoutMs ?? 10_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              headers: res.headers,
              ms: performance.now() - started,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`request timed out after ${options.timeoutMs ?? 10_000} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  return {
    post: (path, body, headers) => request('POST', path, body, headers),
    get: (path) => request('GET', path),
    close: () => agent.destroy(),
  };
}

/** A valid AdmissionReview for a Pod. */
export function podReview(overrides: {
  uid?: string;
  operation?: string;
  labels?: Record<string, string>;
  dryRun?: boolean;
  name?: string;
  namespace?: string;
} = {}): Record<string, unknown> {
  const name = overrides.name ?? 'web';
  const namespace = overrides.namespace ?? 'default';
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: overrides.labels ?? { app: 'web' } },
    spec: { containers: [{ name: 'app', image: 'registry.example.com/web:1.2.3' }] },
  };
  const operation = overrides.operation ?? 'CREATE';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: overrides.uid ?? '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      name,
      namespace,
      operation,
      userInfo: { username: 'alice', uid: 'u-1', groups: ['system:authenticated'] },
      object: operation === 'DELETE' ? null : pod,
      oldObject: operation === 'CREATE' ? null : pod,
      dryRun: overrides.dryRun ?? false,
    },
  };
}
