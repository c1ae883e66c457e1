import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';

/**
 * Hand-written OSV records and a small project for the dependency-scanner CLI tests. The records
 * follow the OSV schema (https://ossf.github.io/osv-schema/); ids are made up (`-test-`) so they can
 * never be mistaken for real advisories.
 */
export const RECORDS: Record<string, object[]> = {
  npm: [
    {
      id: 'GHSA-test-lodash-pp01',
      aliases: ['CVE-2099-1001'],
      summary: 'Prototype pollution in lodash',
      modified: '2024-02-01T00:00:00Z',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [
        {
          package: { ecosystem: 'npm', name: 'lodash' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
        },
      ],
      references: [{ type: 'ADVISORY', url: 'https://example.org/advisories/lodash-pp01' }],
    },
    {
      id: 'MAL-2099-0007',
      summary: 'Malicious code in evil-pkg (npm)',
      modified: '2024-03-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'npm', name: 'evil-pkg' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
        },
      ],
    },
    {
      id: 'GHSA-test-minimist-01',
      summary: 'Prototype pollution in minimist',
      modified: '2024-03-01T00:00:00Z',
      database_specific: { severity: 'CRITICAL' },
      affected: [
        {
          package: { ecosystem: 'npm', name: 'minimist' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { fixed: '1.2.6' }] }],
        },
      ],
    },
  ],
  PyPI: [
    {
      id: 'PYSEC-2099-11',
      aliases: ['CVE-2099-2002', 'GHSA-test-django-0001'],
      summary: 'SQL injection in Django',
      modified: '2024-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'django' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '3.2' }, { fixed: '3.2.19' }] }],
        },
      ],
    },
  ],
};

/** `<dir>/<Ecosystem>/all.zip` for every ecosystem of RECORDS: the OSV bucket layout. */
export function writeAdvisoryFolder(dir: string): void {
  for (const [eco, records] of Object.entries(RECORDS)) {
    mkdirSync(path.join(dir, eco), { recursive: true });
    const files: Record<string, Uint8Array> = {};
    for (const r of records) files[`${(r as { id: string }).id}.json`] = strToU8(JSON.stringify(r));
    writeFileSync(path.join(dir, eco, 'all.zip'), zipSync(files));
  }
}

export function packageLock(
  deps: Record<string, { version: string; dev?: boolean; license?: string }>,
): string {
  const packages: Record<string, object> = {
    '': {
      name: 'demo',
      version: '1.0.0',
      dependencies: Object.fromEntries(Object.entries(deps).map(([n, d]) => [n, `^${d.version}`])),
    },
  };
  for (const [name, d] of Object.entries(deps)) {
    packages[`node_modules/${name}`] = {
      version: d.version,
      resolved: `https://registry.npmjs.org/${name}/-/${name}-${d.version}.tgz`,
      ...(d.dev ? { dev: true } : {}),
      ...(d.license ? { license: d.license } : {}),
    };
  }
  return `${JSON.stringify({ name: 'demo', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}

/** A project with an npm lockfile, a pinned requirements file, a broken composer.lock and a lockfile of an unsupported format. */
export function writeProject(dir: string): void {
  const put = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  put(
    'web/package-lock.json',
    packageLock({
      lodash: { version: '4.17.15', license: 'MIT' },
      'evil-pkg': { version: '1.0.0', license: 'ISC' },
      'gpl-thing': { version: '2.0.0', license: 'GPL-3.0-only' },
      'safe-pkg': { version: '1.0.0', license: 'MIT OR GPL-3.0-only' },
    }),
  );
  put('api/requirements.txt', '# pinned\nDjango==3.2.5 \\\n    --hash=sha256:abc\nrequests==2.31.0\n');
  put('php/composer.lock', '{\n  "packages": [\n    { "name": "a/b", "version": "1.0.0" },,\n  ]\n}\n');
  put('ios/Podfile.lock', 'PODS:\n  - Alamofire (5.0.0)\n');
}
