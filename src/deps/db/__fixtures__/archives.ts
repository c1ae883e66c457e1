import { strToU8, zipSync } from 'fflate';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OsvRecord } from '../../osv/record.js';

/** Hand-written OSV records for the database tests (shapes follow https://ossf.github.io/osv-schema/). */
export const LODASH: OsvRecord = {
  id: 'GHSA-test-lodash-0001',
  aliases: ['CVE-2099-0001'],
  summary: 'Prototype pollution in lodash',
  details: 'Long text that the store drops.',
  modified: '2024-02-01T00:00:00Z',
  published: '2024-01-01T00:00:00Z',
  database_specific: { severity: 'HIGH', github_reviewed: true },
  affected: [
    {
      package: { ecosystem: 'npm', name: 'lodash', purl: 'pkg:npm/lodash' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
      database_specific: { source: 'x' },
    },
    { package: { ecosystem: 'NuGet', name: 'lodash.net' }, versions: ['1.0.0'] },
  ],
  references: [{ type: 'ADVISORY', url: 'https://example.org/GHSA-test-lodash-0001' }],
};

export const MAL_NPM: OsvRecord = {
  id: 'MAL-2099-0001',
  summary: 'Malicious code in evil-pkg (npm)',
  modified: '2024-03-01T00:00:00Z',
  affected: [
    {
      package: { ecosystem: 'npm', name: 'evil-pkg' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
    },
  ],
};

export const WITHDRAWN_NPM: OsvRecord = {
  id: 'GHSA-test-withdrawn',
  withdrawn: '2024-05-01T00:00:00Z',
  modified: '2024-05-01T00:00:00Z',
  affected: [
    {
      package: { ecosystem: 'npm', name: 'lodash' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
    },
  ],
};

export const PYSEC: OsvRecord = {
  id: 'PYSEC-2099-1',
  details: 'Requests leaks credentials.\n\nMore text.',
  modified: '2023-07-01T10:00:00.123456Z',
  affected: [
    {
      package: { ecosystem: 'PyPI', name: 'Requests' },
      ranges: [{ type: 'GIT', repo: 'https://example.org/r', events: [{ introduced: '0' }] }],
      versions: ['2.0.0', '2.1.0'],
    },
  ],
};

export function json(r: unknown): Uint8Array {
  return strToU8(JSON.stringify(r, null, 2));
}

/** A zip like the OSV bucket's: one `<ID>.json` per record at the root. */
export function zipOf(files: Record<string, Uint8Array | string>): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, data] of Object.entries(files))
    entries[name] = typeof data === 'string' ? strToU8(data) : data;
  return zipSync(entries, { level: 6 });
}

export function recordsZip(records: OsvRecord[]): Uint8Array {
  return zipOf(Object.fromEntries(records.map((r) => [`${r.id}.json`, json(r)])));
}

/** Sets the declared uncompressed size of a member in the central directory (hostile-archive tests). */
export function patchDeclaredSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const target = strToU8(name);
  for (let p = 0; p + 46 <= out.length; p++) {
    if (view.getUint32(p, true) !== 0x02014b50) continue;
    const nameLen = view.getUint16(p + 28, true);
    const candidate = out.subarray(p + 46, p + 46 + nameLen);
    if (candidate.length === target.length && candidate.every((b, i) => b === target[i])) {
      view.setUint32(p + 24, size, true);
      return out;
    }
  }
  throw new Error(`member ${name} not found`);
}

export interface TestServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1:0; `routes` maps a path to a body (404 otherwise) or a custom handler. */
export async function serve(
  routes: Record<string, Uint8Array | ((req: IncomingMessage, res: ServerResponse) => void)>,
): Promise<TestServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? '');
    requests.push(url);
    const route = routes[url];
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    } else if (typeof route === 'function') {
      route(req, res);
    } else {
      res
        .writeHead(200, { 'content-type': 'application/zip', 'content-length': route.length })
        .end(Buffer.from(route));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
