import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findExpressions, flowingRefs, isUntrusted, parseExpression } from './expressions.js';
import { heredocOpened, printsAt } from './shell.js';

const refs = (src: string) => flowingRefs(parseExpression(src)).map((r) => r.join('.'));

describe('expressions', () => {
  it('finds ${{ }} spans; a }} inside a string literal does not close one', () => {
    assert.deepEqual(
      findExpressions("a ${{ x }} b ${{ format('}}', y) }} ${{ unterminated").map((e) => e.body.trim()),
      ['x', "format('}}', y)"],
    );
  });

  it('parses paths, indices, calls and operators', () => {
    assert.deepEqual(refs("github['event'].commits[0].message"), ['github.event.commits.*.message']);
    assert.deepEqual(refs('fromJSON(steps.a.outputs.b).c[1]'), ['steps.a.outputs.b']);
    assert.deepEqual(refs("a.b == 'x' || (c.d && e.f)"), ['e.f']);
    assert.deepEqual(refs('startsWith(a.b, c.d) || hashFiles(x.y)'), []);
    assert.deepEqual(refs("join(github.event.pull_request.labels.*.name, ', ')"), [
      'github.event.pull_request.labels.*.name',
    ]);
  });

  it('survives hostile nesting without recursion errors', () => {
    assert.doesNotThrow(() => parseExpression('('.repeat(10000) + 'a' + ')'.repeat(10000)));
    assert.doesNotThrow(() => parseExpression('a' + '[b'.repeat(10000)));
    assert.doesNotThrow(() => parseExpression('!'.repeat(500000) + 'a'));
    assert.doesNotThrow(() => flowingRefs(parseExpression(Array(200000).fill('a.b').join(' || '))));
  });

  it('untrusted contexts, and whole objects only when asked', () => {
    assert.ok(isUntrusted(['github', 'event', 'issue', 'title']));
    assert.ok(isUntrusted(['github', 'event', 'commits', '*', 'author', 'name']));
    assert.ok(!isUntrusted(['github', 'event', 'issue', 'number']));
    assert.ok(!isUntrusted(['github', 'event']));
    assert.ok(isUntrusted(['github', 'event'], true));
  });
});

describe('shell printing heuristics', () => {
  const at = (line: string) => printsAt(line, line.indexOf('${{'));
  it('echo to the log or a step output prints; into a pipe or a file does not', () => {
    assert.ok(at('echo "${{ secrets.A }}"'));
    assert.ok(at('VAR=1 echo ${{ secrets.A }} >> $GITHUB_STEP_SUMMARY'));
    assert.ok(at('make && echo ${{ secrets.A || secrets.B }}'));
    assert.ok(!at('echo ${{ secrets.A }} | base64 -d > key'));
    assert.ok(!at('echo ${{ secrets.A }} > file'));
    assert.ok(!at('docker login -p ${{ secrets.A }}'));
  });
  it('heredocs: cat to stdout prints, other consumers do not', () => {
    assert.deepEqual(heredocOpened("cat <<'EOF'"), { delimiter: 'EOF', prints: true });
    assert.deepEqual(heredocOpened('cat <<-END >> "$GITHUB_OUTPUT"'), { delimiter: 'END', prints: true });
    assert.deepEqual(heredocOpened('cat <<EOF > cfg.yaml'), { delimiter: 'EOF', prints: false });
    assert.deepEqual(heredocOpened('ssh host <<EOF'), { delimiter: 'EOF', prints: false });
    assert.equal(heredocOpened('base64 -d <<< "$X"'), undefined);
  });
});
