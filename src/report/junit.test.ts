import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScanReport } from '../core/report.js';
import { sampleReport } from './__fixtures__/report.js';
import { renderJunit } from './junit.js';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/**
 * A small strict XML parser (elements, attributes, text, the five entities and numeric references):
 * enough to prove the JUnit output is well-formed and carries what we put in it.
 */
function parseXml(xml: string): XmlElement {
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i}: ${JSON.stringify(xml.slice(i, i + 40))}`);
  };
  const decode = (s: string) => {
    if (/[<]/.test(s) || /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(s))
      fail(`unescaped markup in ${JSON.stringify(s)}`);
    return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) => {
      const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
      if (named[e]) return named[e]!;
      return String.fromCodePoint(
        e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10),
      );
    });
  };
  if (xml.startsWith('<?xml')) i = xml.indexOf('?>') + 2;
  const skipWs = () => {
    while (/\s/.test(xml[i] ?? '')) i++;
  };
  const element = (): XmlElement => {
    skipWs();
    if (xml[i] !== '<') fail('expected <');
    i++;
    const name = /^[A-Za-z_][\w.-]*/.exec(xml.slice(i))?.[0] ?? fail('bad name');
    i += name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      skipWs();
      if (xml.startsWith('/>', i)) {
        i += 2;
        return { name, attrs, children: [], text: '' };
      }
      if (xml[i] === '>') {
        i++;
        break;
      }
      const m = /^([A-Za-z_][\w.-]*)="([^"]*)"/.exec(xml.slice(i)) ?? fail('bad attribute');
      if (m[1]! in attrs) fail(`duplicate attribute ${m[1]}`);
      attrs[m[1]!] = decode(m[2]!);
      i += m[0].length;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      const lt = xml.indexOf('<', i);
      if (lt < 0) fail(`unclosed <${name}>`);
      text += decode(xml.slice(i, lt));
      i = lt;
      if (xml.startsWith(`</${name}>`, i)) {
        i += name.length + 3;
        return { name, attrs, children, text };
      }
      if (xml.startsWith('</', i)) fail(`mismatched close tag for <${name}>`);
      children.push(element());
    }
  };
  const root = element();
  skipWs();
  if (i !== xml.length) fail('trailing content');
  return root;
}

test('JUnit: a suite per scanner, a failing testcase per finding, skipped for suppressed', () => {
  const report = sampleReport();
  const root = parseXml(renderJunit(report));
  assert.equal(root.name, 'testsuites');
  assert.deepEqual(
    {
      tests: root.attrs.tests,
      failures: root.attrs.failures,
      skipped: root.attrs.skipped,
      errors: root.attrs.errors,
      time: root.attrs.time,
    },
    { tests: '4', failures: '3', skipped: '1', errors: '0', time: '2.500' },
  );
  assert.deepEqual(
    root.children.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures, s.attrs.skipped]),
    [
      ['rampart.secret', '2', '1', '1'],
      ['rampart.deps', '1', '1', '0'],
      ['rampart.misconfig', '1', '1', '0'],
    ],
  );
  const secret = root.children[0]!;
  assert.deepEqual(
    secret.children[0]!.children.map((p) => [p.attrs.name, p.attrs.value]),
    [
      ['target', 'examples/demo-app'],
      ['mode', 'path'],
      ['rampart.version', '0.1.0'],
    ],
  );
  const [pat, generic] = secret.children.filter((c) => c.name === 'testcase') as [XmlElement, XmlElement];
  assert.equal(pat.attrs.name, 'secret/github-pat at src/config/settings.py:12:15');
  assert.equal(pat.attrs.file, 'src/config/settings.py');
  assert.equal(pat.attrs.line, '12');
  const failure = pat.children[0]!;
  assert.equal(failure.name, 'failure');
  assert.equal(failure.attrs.type, 'critical');
  assert.equal(failure.attrs.message, 'GitHub personal access token: ghp_…(40)');
  assert.match(
    failure.text,
    /^Rule: secret\/github-pat \(GitHub personal access token\)\nSeverity: critical, confidence: high\n/,
  );
  assert.match(failure.text, /\nCommit: 0123456789abcdef0123456789abcdef01234567 \(2024-03-01T10:00:00Z\)\n/);
  assert.match(failure.text, /\nEvidence: ghp_…\(40\)\n/);
  // Hostile path: metacharacters round-trip, the control character (not allowed in XML) is replaced.
  assert.equal(generic.attrs.file, 'weird dir/<a>&"b\'\uFFFD[31m/données ключ#1?.env');
  assert.equal(generic.children[0]!.name, 'skipped');
  assert.equal(generic.children[0]!.attrs.message, 'suppressed (inline): test fixture, not a real key');
  const misconfig = root.children[2]!.children.find((c) => c.name === 'testcase')!;
  assert.equal(misconfig.attrs.name, 'misconfig/k8s-privileged at Deployment prod/web');
  assert.equal(misconfig.attrs.file, undefined);
});

test('JUnit: a passing testcase when a scanner found nothing', () => {
  const report: ScanReport = { ...sampleReport(), scanners: ['secret'], findings: [] };
  const root = parseXml(renderJunit(report));
  assert.equal(root.attrs.failures, '0');
  assert.equal(root.children.length, 1);
  const cases = root.children[0]!.children.filter((c) => c.name === 'testcase');
  assert.equal(cases.length, 1);
  assert.equal(cases[0]!.attrs.name, 'no secret findings in examples/demo-app');
  assert.deepEqual(cases[0]!.children, []);
});

test('JUnit: newlines and quotes in messages survive inside attributes', () => {
  const report = sampleReport();
  report.findings[0]!.message = 'line one\nline "two"\tend & <done>';
  const root = parseXml(renderJunit(report));
  const failure = root.children[0]!.children.find((c) => c.name === 'testcase')!.children[0]!;
  assert.equal(failure.attrs.message, 'line one\nline "two"\tend & <done>');
});

test('the test parser rejects malformed XML (so the checks above mean something)', () => {
  assert.throws(() => parseXml('<a><b></a>'), /mismatched/);
  assert.throws(() => parseXml('<a x="1 & 2"/>'), /unescaped/);
  assert.throws(() => parseXml('<a>x < y</a>'));
});
