import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeGoBinaries, readGoBuildInfo } from './go-binary.js';
import { FileIndex } from './files.js';
import { memFiles } from './test-files.js';

function uvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** A binary with Go >= 1.18 build info, laid out as debug/buildinfo documents it. */
function goBinary(version: string, modinfo: string, flags = 0x2): Buffer {
  const header = Buffer.alloc(32);
  Buffer.from('\xff Go buildinf:', 'latin1').copy(header, 0);
  header[14] = 8; // pointer size
  header[15] = flags;
  const mod = Buffer.concat([
    Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex'),
    Buffer.from(modinfo),
    Buffer.from('f932433186182072008242104116d8f2', 'hex'),
  ]);
  const elf = Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.alloc(60)]);
  return Buffer.concat([
    elf,
    header,
    uvarint(version.length),
    Buffer.from(version),
    uvarint(mod.length),
    mod,
    Buffer.alloc(16),
  ]);
}

const MODINFO = [
  'path\tgithub.com/example/tool/cmd/tool',
  'mod\tgithub.com/example/tool\tv1.4.2\th1:abc=',
  'dep\tgithub.com/spf13/cobra\tv1.8.0\th1:def=',
  'dep\tgolang.org/x/net\tv0.17.0\th1:ghi=',
  '=>\tgithub.com/fork/net\tv0.19.0\th1:jkl=',
  'dep\texample.com/local\tv0.0.0',
  '=>\t../local\t',
  'build\t-compiler=gc',
  'build\tGOOS=linux',
  '',
].join('\n');

test('Go build info: version, main module, deps with replacements, settings', () => {
  const info = readGoBuildInfo(goBinary('go1.22.3', MODINFO));
  assert.ok(info && typeof info === 'object');
  assert.equal(info.goVersion, 'go1.22.3');
  assert.equal(info.path, 'github.com/example/tool/cmd/tool');
  assert.deepEqual(info.main, { path: 'github.com/example/tool', version: 'v1.4.2', sum: 'h1:abc=' });
  assert.equal(info.deps.length, 3);
  assert.deepEqual(info.deps[1]?.replace, {
    path: 'github.com/fork/net',
    version: 'v0.19.0',
    sum: 'h1:jkl=',
  });
  assert.deepEqual(info.settings, [
    ['-compiler', 'gc'],
    ['GOOS', 'linux'],
  ]);
});

test('Go binaries in an image: executables only, stdlib + main (own) + deps', () => {
  const files = memFiles(
    {
      '/usr/local/bin/tool': goBinary('go1.22.3', MODINFO),
      '/data/tool.copy': goBinary('go1.22.3', MODINFO),
      '/usr/local/bin/old': goBinary('go1.16', '', 0x0),
      '/usr/local/bin/script': '#!/bin/sh\necho \xff Go buildinf:\n',
    },
    { '/usr/local/bin/tool': 0o755, '/usr/local/bin/old': 0o755, '/usr/local/bin/script': 0o755 },
  );
  const out = analyzeGoBinaries(new FileIndex(files));
  assert.deepEqual(
    out.components.map((c) => [c.purl, c.own]),
    [
      ['pkg:golang/stdlib@1.22.3', undefined],
      ['pkg:golang/github.com/example/tool@1.4.2', true],
      ['pkg:golang/github.com/spf13/cobra@1.8.0', undefined],
      ['pkg:golang/github.com/fork/net@0.19.0', undefined],
      ['pkg:golang/example.com/local@0.0.0', undefined],
    ],
  );
  assert.ok(out.components.every((c) => c.location.path === 'usr/local/bin/tool'));
  assert.deepEqual(out.problems, [
    { path: 'usr/local/bin/old', message: 'Go build info from before Go 1.18 (pointer format) is not read' },
  ]);
});

test('Go build info: truncated or absent data is not an error', () => {
  const full = goBinary('go1.22.3', MODINFO);
  assert.equal(readGoBuildInfo(full.subarray(0, 64 + 40)), undefined);
  assert.equal(readGoBuildInfo(Buffer.from('\x7fELF nothing here', 'latin1')), undefined);
});
