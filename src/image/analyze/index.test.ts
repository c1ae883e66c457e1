import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeImage } from './index.js';
import { memFiles } from './test-files.js';

test('analyzeImage: OS + dpkg + language packages, located by the file inside the image', async () => {
  const files = memFiles({
    './etc/os-release': 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
    './etc/debian_version': '12.15\n',
    './var/lib/dpkg/status':
      'Package: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.15-1~deb12u1\nArchitecture: amd64\n',
    './app/node_modules/lodash/package.json': JSON.stringify({ name: 'lodash', version: '4.17.20' }),
    './opt/venv/lib/python3.11/site-packages/pip-23.0.1.dist-info/METADATA': 'Name: pip\nVersion: 23.0.1\n',
  });
  const inv = await analyzeImage(files);
  assert.equal(inv.os?.osvEcosystem, 'Debian:12');
  assert.equal(inv.os?.release, '12.15');
  assert.deepEqual(
    inv.components.map((c) => [c.packager, c.name, c.version, c.location.path]),
    [
      ['dpkg', 'libssl3', '3.0.15-1~deb12u1', 'var/lib/dpkg/status'],
      ['node', 'lodash', '4.17.20', 'app/node_modules/lodash/package.json'],
      ['python', 'pip', '23.0.1', 'opt/venv/lib/python3.11/site-packages/pip-23.0.1.dist-info/METADATA'],
    ],
  );
  assert.deepEqual(inv.problems, []);
  const only = await analyzeImage(files, { packagers: ['node'] });
  assert.deepEqual(
    only.components.map((c) => c.name),
    ['lodash'],
  );
});

test('analyzeImage: a reader that throws or returns nothing yields problems, not exceptions', async () => {
  const inv = await analyzeImage({
    paths: [
      '/var/lib/dpkg/status',
      '/lib/apk/db/installed',
      '/x/node_modules/a/package.json',
      '/etc/os-release',
    ],
    read: (p) => {
      if (p.endsWith('package.json')) throw new Error('boom');
      return undefined;
    },
  });
  assert.equal(inv.os, undefined);
  assert.equal(inv.components.length, 0);
  assert.deepEqual(
    inv.problems.map((p) => p.path),
    ['var/lib/dpkg/status', 'lib/apk/db/installed', 'x/node_modules/a/package.json'],
  );
});
