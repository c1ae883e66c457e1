import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, render, TemplateError } from './template.js';
import { createMisconfigScanner } from '../index.js';
import type { ScanContext } from '../../../core/scanner.js';

function run(src: string, root: unknown, extra = ''): string {
  const defines = new Map();
  if (extra) parseTemplate(extra, defines);
  return render(parseTemplate(src, defines), root, defines);
}

describe('helm template interpreter', () => {
  it('trims whitespace around {{- -}} and evaluates fields, if/else if/else, with, range and pipelines', () => {
    const v = { Values: { name: 'web', on: false, mode: 'b', labels: { a: '1', b: '2' }, ports: [80, 443] } };
    assert.equal(run('x:\n  {{- .Values.name | upper | quote }}\n', v), 'x:"WEB"\n');
    assert.equal(
      run('{{ if .Values.on }}on{{ else if eq .Values.mode "b" }}b{{ else }}off{{ end }}', v),
      'b',
    );
    assert.equal(
      run('{{ with .Values.labels }}{{ .a }}{{ end }}{{ with .Values.missing }}x{{ else }}none{{ end }}', v),
      '1none',
    );
    assert.equal(run('{{ range $k, $v := .Values.labels }}{{ $k }}={{ $v }};{{ end }}', v), 'a=1;b=2;');
    assert.equal(run('{{ range .Values.ports }}{{ . }},{{ end }}', v), '80,443,');
    assert.equal(run('{{ .Values.nope | default "d" }}', v), 'd');
    assert.equal(run('{{ printf "%s-%d" .Values.name 3 }}', v), 'web-3');
  });

  it('renders include/define with toYaml and nindent', () => {
    const out = run(
      'labels:{{- include "x.labels" . | nindent 2 }}',
      { Values: { l: { app: 'web' } } },
      '{{- define "x.labels" -}}\n{{ toYaml .Values.l }}\n{{- end }}',
    );
    assert.equal(out, 'labels:\n  app: web');
  });

  it('refuses unknown functions instead of guessing', () => {
    assert.throws(() => run('{{ frobnicate 1 }}', {}), TemplateError);
  });

  it('bounds include recursion', () => {
    assert.throws(
      () => run('{{ include "r" . }}', {}, '{{ define "r" }}{{ include "r" . }}{{ end }}'),
      /too deep/,
    );
  });
});

const CHART = {
  'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\nappVersion: "1.2.3"\n',
  'chart/values.yaml':
    'image:\n  repository: registry.example.com/web\n  tag: ""\nsecurityContext:\n  privileged: true\nresources: {}\n',
  'chart/templates/_helpers.tpl': '{{- define "web.name" -}}{{ .Chart.Name }}{{- end }}\n',
  'chart/templates/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: {{ include "web.name" . }}',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"',
    '          securityContext:',
    '            {{- toYaml .Values.securityContext | nindent 12 }}',
    '',
  ].join('\n'),
};

function ctx(warnings: string[]): ScanContext {
  return { warn: (m) => warnings.push(m), deadline: Date.now() + 10_000 };
}

describe('helm charts in the misconfig scanner', () => {
  it('renders a chart with its default values at finalize and reports on the template file', async () => {
    const s = await createMisconfigScanner();
    const warnings: string[] = [];
    for (const [path, text] of Object.entries(CHART)) {
      assert.ok(s.required(path), path);
      s.scan({ path, content: Buffer.from(text) }, ctx(warnings));
    }
    const findings = s.finalize!(ctx(warnings));
    assert.deepEqual(warnings, []);
    const priv = findings.find((f) => f.ruleId === 'misconfig/k8s-privileged');
    assert.equal(priv?.location?.path, 'chart/templates/deployment.yaml');
    // the image tag came from .Chart.AppVersion: not "latest"
    assert.ok(!findings.some((f) => f.ruleId === 'misconfig/k8s-image-latest'));
  });

  it('hands collected chart files from a worker instance to the main instance', async () => {
    const worker = (await createMisconfigScanner()) as unknown as {
      scan: (t: { path: string; content: Buffer }, c: ScanContext) => unknown;
      drainState(): unknown;
    };
    const main = (await createMisconfigScanner()) as unknown as {
      absorbState(s: unknown): void;
      finalize(c: ScanContext): { ruleId: string }[];
    };
    for (const [path, text] of Object.entries(CHART))
      worker.scan({ path, content: Buffer.from(structuredClone(text)) }, ctx([]));
    main.absorbState(structuredClone(worker.drainState()));
    assert.ok(main.finalize(ctx([])).some((f) => f.ruleId === 'misconfig/k8s-privileged'));
  });

  it('a template that cannot be rendered is a warning, not a crash', async () => {
    const s = await createMisconfigScanner();
    const warnings: string[] = [];
    s.scan({ path: 'c/Chart.yaml', content: Buffer.from('name: c\n') }, ctx(warnings));
    s.scan({ path: 'c/templates/x.yaml', content: Buffer.from('a: {{ nosuchfn }}\n') }, ctx(warnings));
    assert.deepEqual(s.finalize!(ctx(warnings)), []);
    assert.match(warnings.join('\n'), /not rendered/);
  });
});
