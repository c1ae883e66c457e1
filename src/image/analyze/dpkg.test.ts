import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDpkg, parseDpkgStatus, parseSource } from './dpkg.js';
import { FileIndex } from './files.js';
import { memFiles } from './test-files.js';
import type { OsInfo } from './types.js';

const bookworm: OsInfo = { id: 'debian', versionId: '12', osvEcosystem: 'Debian:12', path: 'etc/os-release' };

const STATUS = `Package: bsdutils
Essential: yes
Status: install ok installed
Priority: required
Architecture: amd64
Source: util-linux (2.38.1-5+deb12u3)
Version: 1:2.38.1-5+deb12u3
Description: basic utilities from 4.4BSD-Lite
 This package contains the bare minimum.
 .
 More text: with a colon.

Package: removed-pkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.15-1~deb12u1

Package: half-installed
Status: install reinstreq half-installed
Version: 2.0
`;

test('dpkg status: installed only, epoch kept, binary → source mapping', () => {
  const out = parseDpkgStatus('var/lib/dpkg/status', STATUS, bookworm);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(
    out.components.map((c) => [c.name, c.version, c.arch, c.source, c.advisory, c.location.line]),
    [
      [
        'bsdutils',
        '1:2.38.1-5+deb12u3',
        'amd64',
        { name: 'util-linux', version: '2.38.1-5+deb12u3' },
        { ecosystem: 'Debian:12', name: 'util-linux', version: '2.38.1-5+deb12u3' },
        1,
      ],
      [
        'libssl3',
        '3.0.15-1~deb12u1',
        'amd64',
        { name: 'openssl', version: '3.0.15-1~deb12u1' },
        { ecosystem: 'Debian:12', name: 'openssl', version: '3.0.15-1~deb12u1' },
        18,
      ],
    ],
  );
  assert.equal(
    out.components[0]?.purl,
    'pkg:deb/debian/bsdutils@1:2.38.1-5+deb12u3?arch=amd64&distro=debian-12',
  );
  assert.equal(out.components[0]?.ecosystem, 'Debian');
  assert.equal(out.components[0]?.packager, 'dpkg');
});

test('dpkg: Source field forms', () => {
  assert.deepEqual(parseSource('gcc-12', '12.2.0-14'), { name: 'gcc-12', version: '12.2.0-14' });
  assert.deepEqual(parseSource('util-linux (2.38.1-5)', '1:2.38.1-5'), {
    name: 'util-linux',
    version: '2.38.1-5',
  });
  assert.equal(parseSource(undefined, '1'), undefined);
});

test('dpkg on Ubuntu: ubuntu namespace and Ubuntu ecosystem', () => {
  const os: OsInfo = {
    id: 'ubuntu',
    versionId: '22.04',
    osvEcosystem: 'Ubuntu:22.04:LTS',
    path: 'etc/os-release',
  };
  const [c] = parseDpkgStatus(
    's',
    'Package: zlib1g\nStatus: install ok installed\nSource: zlib\nVersion: 1:1.2.11.dfsg-2ubuntu9\nArchitecture: amd64\n',
    os,
  ).components;
  assert.equal(c?.ecosystem, 'Ubuntu');
  assert.equal(c?.purl, 'pkg:deb/ubuntu/zlib1g@1:1.2.11.dfsg-2ubuntu9?arch=amd64&distro=ubuntu-22.04');
  assert.deepEqual(c?.advisory, {
    ecosystem: 'Ubuntu:22.04:LTS',
    name: 'zlib',
    version: '1:1.2.11.dfsg-2ubuntu9',
  });
});

test('distroless status.d: no Status field, several stanzas in one file, md5sums ignored, duplicates dropped', () => {
  const files = memFiles({
    '/var/lib/dpkg/status.d/libc6':
      'Package: libc6\nVersion: 2.36-9+deb12u9\nArchitecture: amd64\nSource: glibc\n',
    '/var/lib/dpkg/status.d/libc6.md5sums':
      'd41d8cd98f00b204e9800998ecf8427e  lib/x86_64-linux-gnu/libc.so.6\n',
    '/var/lib/dpkg/status.d/multi':
      'Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n\nPackage: netbase\nVersion: 6.4\nArchitecture: all\n',
    '/var/lib/dpkg/status.d/sub/ignored': 'Package: nested\nVersion: 1\n',
    '/var/lib/dpkg/status':
      'Package: tzdata\nStatus: install ok installed\nVersion: 2024a-0+deb12u1\nArchitecture: all\n',
  });
  const out = analyzeDpkg(new FileIndex(files), bookworm);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(out.components.map((c) => `${c.name}@${c.version} ${c.location.path}`).sort(), [
    'libc6@2.36-9+deb12u9 var/lib/dpkg/status.d/libc6',
    'netbase@6.4 var/lib/dpkg/status.d/multi',
    'tzdata@2024a-0+deb12u1 var/lib/dpkg/status',
  ]);
});

test('dpkg: malformed stanzas are problems, not exceptions', () => {
  const out = parseDpkgStatus('s', 'Package: onlyname\n\n\u0000garbage\n\nVersion: 1\n', undefined);
  assert.equal(out.components.length, 0);
  assert.equal(out.problems.length, 2);
  const [c] = parseDpkgStatus('s', 'Package: a\nVersion: 1\n', undefined).components;
  assert.equal(c?.purl, 'pkg:deb/debian/a@1');
  assert.deepEqual(c?.advisory, { ecosystem: 'Debian', name: 'a', version: '1' });
});
