import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectOs, osvEcosystemOf, parseOsRelease } from './os-release.js';
import { FileIndex } from './files.js';
import { memFiles } from './test-files.js';

test('os-release: quotes, escapes, comments', () => {
  const kv = parseOsRelease(
    '# c\nNAME="Debian \\"GNU\\"/Linux"\nID=debian\nVERSION_ID=\'12\'\nbroken line\n',
  );
  assert.equal(kv.get('NAME'), 'Debian "GNU"/Linux');
  assert.equal(kv.get('ID'), 'debian');
  assert.equal(kv.get('VERSION_ID'), '12');
  assert.equal(kv.size, 3);
});

test('OSV ecosystem strings', () => {
  assert.equal(osvEcosystemOf('debian', '12'), 'Debian:12');
  assert.equal(osvEcosystemOf('debian', undefined), 'Debian');
  assert.equal(osvEcosystemOf('ubuntu', '22.04', '22.04.4 LTS (Jammy Jellyfish)'), 'Ubuntu:22.04:LTS');
  assert.equal(osvEcosystemOf('ubuntu', '24.10', '24.10 (Oracular Oriole)'), 'Ubuntu:24.10');
  assert.equal(osvEcosystemOf('alpine', '3.20.1'), 'Alpine:v3.20');
  assert.equal(osvEcosystemOf('almalinux', '9.4'), 'AlmaLinux:9');
  assert.equal(osvEcosystemOf('rocky', '8.10'), 'Rocky Linux:8');
  assert.equal(osvEcosystemOf('arch', undefined), undefined);
});

test('detectOs: /etc/os-release with debian_version; /usr/lib fallback; alpine-release', () => {
  const deb = detectOs(
    new FileIndex(
      memFiles({
        '/etc/os-release':
          'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n',
        '/etc/debian_version': '12.15\n',
      }),
    ),
  );
  assert.deepEqual(deb, {
    id: 'debian',
    path: 'etc/os-release',
    versionId: '12',
    codename: 'bookworm',
    prettyName: 'Debian GNU/Linux 12 (bookworm)',
    release: '12.15',
    osvEcosystem: 'Debian:12',
  });
  const alpine = detectOs(
    new FileIndex(
      memFiles({ 'usr/lib/os-release': 'ID=alpine\nVERSION_ID=3.19.4\n', 'etc/alpine-release': '3.19.4\n' }),
    ),
  );
  assert.equal(alpine?.path, 'usr/lib/os-release');
  assert.equal(alpine?.osvEcosystem, 'Alpine:v3.19');
  assert.equal(alpine?.release, '3.19.4');
  const sid = detectOs(
    new FileIndex(
      memFiles({
        'etc/os-release': 'ID=debian\nVERSION_CODENAME=trixie\n',
        'etc/debian_version': 'trixie/sid\n',
      }),
    ),
  );
  assert.equal(sid?.release, undefined);
  assert.equal(sid?.osvEcosystem, 'Debian');
  assert.equal(detectOs(new FileIndex(memFiles({ 'etc/os-release': 'NAME=x\n' }))), undefined);
});
