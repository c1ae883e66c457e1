import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeApk, parseApkInstalled } from './apk.js';
import { FileIndex } from './files.js';
import { memFiles } from './test-files.js';
import type { OsInfo } from './types.js';

const alpine: OsInfo = {
  id: 'alpine',
  versionId: '3.19.4',
  osvEcosystem: 'Alpine:v3.19',
  path: 'etc/os-release',
};

const INSTALLED = `C:Q1abcdefghijklmnopqrstuvwxyz0=
P:libssl3
V:3.1.7-r0
A:x86_64
S:379000
I:1187840
T:SSL shared libraries
U:https://www.openssl.org/
L:Apache-2.0
o:openssl
m:Ariadne Conill <ariadne@dereferenced.org>
t:1725980000
c:5b34e7eb9d5e6d1b4f59e2b7a6c9f0a7f0b0e1a2
D:so:libc.musl-x86_64.so.1 so:libcrypto.so.3
p:so:libssl.so.3=3
F:lib
R:libssl.so.3
a:0:0:755
Z:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=

P:busybox
V:1.36.1-r19
A:x86_64
L:GPL-2.0-only
F:bin
R:busybox

V:9.9-r0
`;

test('apk installed: P/V/A/o/L, origin as source and advisory name', () => {
  const out = parseApkInstalled('lib/apk/db/installed', INSTALLED, alpine);
  assert.deepEqual(
    out.components.map((c) => [
      c.name,
      c.version,
      c.arch,
      c.source?.name,
      c.licenses,
      c.advisory,
      c.location.line,
    ]),
    [
      [
        'libssl3',
        '3.1.7-r0',
        'x86_64',
        'openssl',
        ['Apache-2.0'],
        { ecosystem: 'Alpine:v3.19', name: 'openssl', version: '3.1.7-r0' },
        1,
      ],
      [
        'busybox',
        '1.36.1-r19',
        'x86_64',
        'busybox',
        ['GPL-2.0-only'],
        { ecosystem: 'Alpine:v3.19', name: 'busybox', version: '1.36.1-r19' },
        21,
      ],
    ],
  );
  assert.equal(out.components[0]?.purl, 'pkg:apk/alpine/libssl3@3.1.7-r0?arch=x86_64&distro=alpine-3.19.4');
  assert.deepEqual(out.problems, [
    { path: 'lib/apk/db/installed', message: 'line 28: record without P: or V:' },
  ]);
});

test('apk: absent database is no component and no problem', () => {
  assert.deepEqual(analyzeApk(new FileIndex(memFiles({ 'etc/hostname': 'x' })), alpine), {
    components: [],
    problems: [],
  });
  const out = analyzeApk(
    new FileIndex(memFiles({ '/lib/apk/db/installed': 'P:zlib\nV:1.3.1-r0\n' })),
    undefined,
  );
  assert.equal(out.components[0]?.purl, 'pkg:apk/alpine/zlib@1.3.1-r0');
  assert.equal(out.components[0]?.advisory?.ecosystem, 'Alpine');
});
