import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseImageConfig } from '../read/config.js';
import { baseImageIndex, checkImageConfig, imageConfigToDockerfile, instructionOf } from './config-checks.js';

test('history entries → Dockerfile lines (legacy builder, BuildKit, metadata suffixes, ENV quoting)', () => {
  assert.equal(
    instructionOf('/bin/sh -c apt-get update && apt-get install -y curl'),
    'RUN apt-get update && apt-get install -y curl',
  );
  assert.equal(instructionOf('RUN /bin/sh -c apk add curl # buildkit'), 'RUN apk add curl');
  assert.equal(instructionOf('RUN |2 A=1 B=2 /bin/sh -c make # buildkit'), 'RUN make');
  assert.equal(instructionOf('/bin/sh -c set -e\ncd /src\nmake'), 'RUN set -e; cd /src; make');
  assert.equal(instructionOf('/bin/sh -c #(nop) COPY file:abc123 in /app/ '), 'COPY file:abc123 /app/');
  assert.equal(instructionOf('/bin/sh -c #(nop) ADD file:abc123 in / '), undefined, 'a rootfs tarball');
  assert.equal(instructionOf('/bin/sh -c #(nop)  CMD ["/bin/sh"]'), 'CMD ["/bin/sh"]');
  assert.equal(
    instructionOf('/bin/sh -c #(nop) WORKDIR /app|unsetLabel=true|force-mtime=10'),
    'WORKDIR /app',
  );
  assert.equal(instructionOf('COPY . /app # buildkit'), 'COPY . /app');
  assert.equal(instructionOf('ENV GREETING=hello world'), 'ENV GREETING="hello world"');
  assert.equal(instructionOf('ARG VERSION=1'), 'ARG VERSION=1');
  assert.equal(instructionOf('step 0'), undefined, 'not an instruction');
  assert.equal(instructionOf(''), undefined);
});

test('base image detection: up to the last empty-layer CMD above the image’s own layers', () => {
  const h = (createdBy: string, emptyLayer = false) => ({ createdBy, emptyLayer });
  assert.equal(
    baseImageIndex([
      h('/bin/sh -c #(nop) ADD file:x in / '),
      h('/bin/sh -c #(nop)  CMD ["bash"]', true),
      h('RUN /bin/sh -c apt-get update # buildkit'),
      h('CMD ["app"]', true),
    ]),
    1,
  );
  assert.equal(baseImageIndex([h('ADD x /'), h('CMD ["sh"]', true)]), -1, 'the image is its own base');
  assert.equal(baseImageIndex([]), -1);
});

test('the reconstructed Dockerfile takes USER, HEALTHCHECK and EXPOSE from the final config', () => {
  const config = parseImageConfig({
    config: {
      User: 'app',
      ExposedPorts: { '8080/tcp': {}, '22/tcp': {} },
      Healthcheck: { Test: ['CMD', 'curl', '-f', 'http://localhost/'] },
    },
    history: [
      { created_by: '/bin/sh -c #(nop) ADD file:x in / ' },
      { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
      { created_by: 'USER root', empty_layer: true },
      { created_by: 'RUN /bin/sh -c apt-get install -y curl # buildkit' },
      { created_by: 'EXPOSE map[8080/tcp:{}]', empty_layer: true },
      { created_by: 'ENV API_TOKEN=s3cr3t-value-123', empty_layer: true },
    ],
  });
  const df = imageConfigToDockerfile(config);
  assert.equal(
    df.text,
    [
      'FROM scratch',
      'RUN apt-get install -y curl',
      'ENV API_TOKEN="s3cr3t-value-123"',
      'EXPOSE 8080/tcp 22/tcp',
      'HEALTHCHECK CMD ["curl","-f","http://localhost/"]',
      'USER app',
      '',
    ].join('\n'),
  );
  assert.deepEqual(df.historyIndex, [undefined, 3, 5, undefined, undefined, undefined]);
  const findings = checkImageConfig(config, 'registry.example/app:1');
  const ids = findings.map((f) => f.ruleId).sort();
  assert.deepEqual(ids, [
    'misconfig/docker-apt-no-install-recommends',
    'misconfig/docker-port-22',
    'misconfig/docker-secret-in-env-arg',
  ]);
  const env = findings.find((f) => f.ruleId === 'misconfig/docker-secret-in-env-arg')!;
  assert.ok(!JSON.stringify(env).includes('s3cr3t'), 'the value never appears in the finding');
  assert.equal(env.properties?.historyIndex, 5);
  assert.deepEqual(env.equivalents, { trivy: ['DS031'] });
  assert.equal(new Set(findings.map((f) => f.fingerprint)).size, findings.length, 'distinct fingerprints');
});
