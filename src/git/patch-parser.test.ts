import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from './lines.js';
import { PatchParser, parseUnifiedDiff, type FilePatch, type PatchEvent } from './patch-parser.js';

const SHA1 = 'a'.repeat(40);
const SHA2 = 'b'.repeat(40);
const header = (sha: string, subject: string) =>
  `\0${sha}\0Ada Lovelace\0ada@example.org\x002024-03-01T10:00:00+01:00\0${subject}\n\n`;

function files(events: PatchEvent[]): { path: string; content: string; lineMap: number[]; sha?: string }[] {
  return events
    .filter((e): e is FilePatch => e.kind === 'file')
    .map((e) => ({
      path: e.path,
      content: e.content.toString('utf8'),
      lineMap: e.lineMap,
      ...(e.commit ? { sha: e.commit.sha } : {}),
    }));
}

test('added lines of each hunk carry their new-file line numbers', () => {
  const patch = [
    'diff --git a/src/app.ts b/src/app.ts',
    'index 1111111..2222222 100644',
    '--- a/src/app.ts',
    '+++ b/src/app.ts',
    '@@ -3,0 +4,2 @@ function a() {',
    '+const one = 1;',
    '+const two = 2;',
    '@@ -10 +12 @@',
    '-old line',
    '+new line',
    '@@ -20,2 +22,0 @@',
    '-gone',
    '-gone too',
    '',
  ].join('\n');
  assert.deepEqual(files(parseUnifiedDiff(patch)), [
    { path: 'src/app.ts', content: 'const one = 1;\nconst two = 2;\nnew line', lineMap: [4, 5, 12] },
  ]);
});

test('context lines advance the new-file line counter (patches with --unified > 0)', () => {
  const patch = [
    'diff --git a/f b/f',
    '--- a/f',
    '+++ b/f',
    '@@ -1,3 +1,4 @@',
    ' one',
    '-two',
    '+TWO',
    ' three',
    '+four',
    '',
  ].join('\n');
  assert.deepEqual(files(parseUnifiedDiff(patch)), [{ path: 'f', content: 'TWO\nfour', lineMap: [2, 4] }]);
});

test('commit headers attach sha, author, email, date and subject to the files that follow', () => {
  const patch =
    header(SHA1, 'add config') +
    [
      'diff --git a/config.yml b/config.yml',
      'new file mode 100644',
      'index 0000000..1234567',
      '--- /dev/null',
      '+++ b/config.yml',
      '@@ -0,0 +1,2 @@',
      '+a: 1',
      '+b: 2',
      '',
    ].join('\n') +
    header(SHA2, 'merge without conflicts') +
    header('c'.repeat(40), 'edit') +
    [
      'diff --git a/config.yml b/config.yml',
      '--- a/config.yml',
      '+++ b/config.yml',
      '@@ -2,0 +3 @@ b: 2',
      '+c: 3',
      '',
    ].join('\n');
  const events = parseUnifiedDiff(patch);
  assert.deepEqual(
    events.map((e) =>
      e.kind === 'commit' ? `commit ${e.commit.sha[0]}` : `${e.kind} ${e.path} ${e.commit?.sha[0]}`,
    ),
    ['commit a', 'file config.yml a', 'commit b', 'commit c', 'file config.yml c'],
  );
  const first = events[0];
  assert.ok(first?.kind === 'commit');
  assert.deepEqual(first.commit, {
    sha: SHA1,
    author: 'Ada Lovelace',
    email: 'ada@example.org',
    date: '2024-03-01T10:00:00+01:00',
    message: 'add config',
  });
  assert.deepEqual(
    files(events).map((f) => f.lineMap),
    [[1, 2], [3]],
  );
});

test('deleted files, mode changes and pure renames add nothing', () => {
  const patch = [
    'diff --git a/old.txt b/old.txt',
    'deleted file mode 100644',
    'index 1234567..0000000',
    '--- a/old.txt',
    '+++ /dev/null',
    '@@ -1,2 +0,0 @@',
    '-x',
    '-y',
    'diff --git a/run.sh b/run.sh',
    'old mode 100644',
    'new mode 100755',
    'diff --git a/a.txt b/b.txt',
    'similarity index 100%',
    'rename from a.txt',
    'rename to b.txt',
    '',
  ].join('\n');
  assert.deepEqual(parseUnifiedDiff(patch), []);
});

test('paths: spaces (trailing TAB), unicode, C-quoted control characters, renames', () => {
  const patch = [
    'diff --git a/my notes é.txt b/my notes é.txt',
    '--- a/my notes é.txt\t',
    '+++ b/my notes é.txt\t',
    '@@ -0,0 +1 @@',
    '+hello',
    'diff --git "a/tab\\there" "b/tab\\there"',
    'new file mode 100644',
    '--- /dev/null',
    '+++ "b/tab\\there"',
    '@@ -0,0 +1 @@',
    '+x',
    'diff --git "a/\\303\\251t\\303\\251.txt" "b/\\303\\251t\\303\\251.txt"',
    '--- /dev/null',
    '+++ "b/\\303\\251t\\303\\251.txt"',
    '@@ -0,0 +1 @@',
    '+octal',
    'diff --git a/old name.cfg b/new name.cfg',
    'similarity index 80%',
    'rename from old name.cfg',
    'rename to new name.cfg',
    '--- a/old name.cfg\t',
    '+++ b/new name.cfg\t',
    '@@ -3,0 +4 @@',
    '+added after rename',
    '',
  ].join('\n');
  assert.deepEqual(
    files(parseUnifiedDiff(patch)).map((f) => f.path),
    ['my notes é.txt', 'tab\there', 'été.txt', 'new name.cfg'],
  );
});

test('binary patches are skipped with a reason and the new path', () => {
  const patch =
    header(SHA1, 'add logo') +
    [
      'diff --git a/assets/logo b.png b/assets/logo b.png',
      'new file mode 100644',
      'index 0000000..89abcde',
      'Binary files /dev/null and b/assets/logo b.png differ',
      '',
    ].join('\n');
  const skips = parseUnifiedDiff(patch).filter((e) => e.kind === 'skip');
  assert.deepEqual(skips, [
    {
      kind: 'skip',
      path: 'assets/logo b.png',
      reason: 'binary',
      detail: `binary patch in commit ${SHA1.slice(0, 12)}`,
      commit: {
        sha: SHA1,
        author: 'Ada Lovelace',
        email: 'ada@example.org',
        date: '2024-03-01T10:00:00+01:00',
        message: 'add logo',
      },
    },
  ]);
});

test('a file whose added lines exceed the cap is skipped as too-large, the next file is kept', () => {
  const big = [
    'diff --git a/big.min.js b/big.min.js',
    '--- /dev/null',
    '+++ b/big.min.js',
    '@@ -0,0 +1,3 @@',
    '+' + 'x'.repeat(40),
    '+' + 'y'.repeat(40),
    '+' + 'z'.repeat(40),
  ];
  const small = [
    'diff --git a/small.txt b/small.txt',
    '--- /dev/null',
    '+++ b/small.txt',
    '@@ -0,0 +1 @@',
    '+ok',
    '',
  ];
  const events = parseUnifiedDiff([...big, ...small].join('\n'), { maxFileBytes: 100 });
  assert.deepEqual(
    events.map((e) => [e.kind, e.kind === 'commit' ? '' : e.path]),
    [
      ['skip', 'big.min.js'],
      ['file', 'small.txt'],
    ],
  );
  const skip = events[0];
  assert.ok(skip?.kind === 'skip');
  assert.equal(skip.reason, 'too-large');
  assert.match(skip.detail, /exceed 100 bytes/);
  // Exactly at the cap is still scanned: 3 lines of 32 bytes + 2 separators = 98 bytes.
  const fits = [
    'diff --git a/f b/f',
    '--- /dev/null',
    '+++ b/f',
    '@@ -0,0 +1,3 @@',
    '+' + 'a'.repeat(32),
    '+' + 'b'.repeat(32),
    '+' + 'c'.repeat(32),
    '',
  ].join('\n');
  assert.equal(files(parseUnifiedDiff(fits, { maxFileBytes: 98 })).length, 1);
  assert.equal(files(parseUnifiedDiff(fits, { maxFileBytes: 97 })).length, 0);
});

test('a single overlong line is never buffered whole: the splitter cuts it and the file is too-large', () => {
  const parser = new PatchParser({ maxFileBytes: 1000 });
  const splitter = new LineSplitter(1100);
  const head = Buffer.from('diff --git a/m.js b/m.js\n--- /dev/null\n+++ b/m.js\n@@ -0,0 +1 @@\n+');
  const feed = (b: Buffer) => {
    for (const l of splitter.push(b)) {
      assert.ok(l.bytes.length <= 1100);
      parser.line(l);
    }
  };
  feed(head);
  for (let i = 0; i < 100; i++) feed(Buffer.alloc(10_000, 0x61));
  feed(Buffer.from('\ndiff --git a/n.txt b/n.txt\n--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1 @@\n+fine\n'));
  for (const l of splitter.end()) parser.line(l);
  parser.end();
  assert.deepEqual(
    parser.drain().map((e) => [e.kind, e.kind === 'commit' ? '' : e.path]),
    [
      ['skip', 'm.js'],
      ['file', 'n.txt'],
    ],
  );
});

test('combined diff of a merge: only lines new against every parent are added', () => {
  const patch = [
    'diff --cc settings.py',
    'index 79b470e,f0f2307..81ae9a3',
    '--- a/settings.py',
    '+++ b/settings.py',
    '@@@ -2,1 -2,1 +2,2 @@@ import os',
    '- MAIN_SIDE = 1',
    ' -BRANCH_SIDE = 2',
    '++RESOLVED = 3',
    ' +FROM_MAIN = 4',
    '@@@ -9,0 -9,0 +10,1 @@@',
    '++EVIL = 5',
    '',
  ].join('\n');
  assert.deepEqual(files(parseUnifiedDiff(patch)), [
    { path: 'settings.py', content: 'RESOLVED = 3\nEVIL = 5', lineMap: [2, 10] },
  ]);
});

test('submodule (gitlink) changes and "no newline" markers are not content', () => {
  const patch = [
    'diff --git a/vendor/lib b/vendor/lib',
    'new file mode 160000',
    'index 0000000..0123456',
    '--- /dev/null',
    '+++ b/vendor/lib',
    '@@ -0,0 +1 @@',
    '+Subproject commit 0123456789abcdef0123456789abcdef01234567',
    'diff --git a/k b/k',
    '--- a/k',
    '+++ b/k',
    '@@ -1 +1 @@',
    '-old',
    '\\ No newline at end of file',
    '+new',
    '\\ No newline at end of file',
    '',
  ].join('\n');
  assert.deepEqual(files(parseUnifiedDiff(patch)), [{ path: 'k', content: 'new', lineMap: [1] }]);
});

test('bytes are kept as they are: CRLF and invalid UTF-8 survive', () => {
  const patch = Buffer.concat([
    Buffer.from('diff --git a/w.txt b/w.txt\n--- /dev/null\n+++ b/w.txt\n@@ -0,0 +1,2 @@\n+crlf\r\n+bad '),
    Buffer.from([0xff, 0xfe, 0x80]),
    Buffer.from('\n'),
  ]);
  const [file] = parseUnifiedDiff(patch).filter((e): e is FilePatch => e.kind === 'file');
  assert.ok(file);
  assert.deepEqual(
    file.content,
    Buffer.concat([Buffer.from('crlf\r\nbad '), Buffer.from([0xff, 0xfe, 0x80])]),
  );
});

test('hostile lines that only look like headers inside hunks are content, not structure', () => {
  const patch = [
    'diff --git a/doc.md b/doc.md',
    '--- a/doc.md',
    '+++ b/doc.md',
    '@@ -0,0 +1,3 @@',
    '+diff --git a/evil b/evil',
    '++++ b/evil',
    '+@@ -0,0 +1 @@',
    '',
  ].join('\n');
  assert.deepEqual(files(parseUnifiedDiff(patch)), [
    { path: 'doc.md', content: 'diff --git a/evil b/evil\n+++ b/evil\n@@ -0,0 +1 @@', lineMap: [1, 2, 3] },
  ]);
});

test('streaming: any chunking of the input gives the same events as one piece', () => {
  const patch = Buffer.from(
    header(SHA1, 'one') +
      [
        'diff --git a/x y b/x y',
        '--- /dev/null',
        '+++ b/x y\t',
        '@@ -0,0 +1,2 @@',
        '+first',
        '+second',
        '',
      ].join('\n') +
      header(SHA2, 'two') +
      ['diff --git a/z b/z', '--- a/z', '+++ b/z', '@@ -5 +5,2 @@', '-q', '+r', '+s'].join('\n'),
  );
  const whole = parseUnifiedDiff(patch);
  assert.equal(files(whole).length, 2);
  for (let size = 1; size <= 17; size++) {
    const parser = new PatchParser({ maxFileBytes: 1 << 20 });
    const splitter = new LineSplitter(1 << 20);
    const events: PatchEvent[] = [];
    for (let i = 0; i < patch.length; i += size) {
      for (const l of splitter.push(patch.subarray(i, i + size))) parser.line(l);
      events.push(...parser.drain());
    }
    for (const l of splitter.end()) parser.line(l);
    parser.end();
    events.push(...parser.drain());
    assert.deepEqual(events, whole, `chunk size ${size}`);
  }
});

test('a malformed commit header is ignored rather than trusted', () => {
  const patch =
    '\0not-a-sha\0x\0y\0z\0w\n' +
    ['diff --git a/f b/f', '--- /dev/null', '+++ b/f', '@@ -0,0 +1 @@', '+v', ''].join('\n');
  const events = parseUnifiedDiff(patch);
  assert.deepEqual(
    events.map((e) => e.kind),
    ['file'],
  );
  assert.equal(events[0]?.kind === 'file' && events[0].commit, undefined);
});
