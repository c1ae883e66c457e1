import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scanDockerfile, requiredDockerfile } from './index.js';
import { dockerfileChecks } from './checks.js';
import { parseDockerfile } from './parse.js';
import type { MisconfigOptions } from '../options.js';

const OPTS: MisconfigOptions = {
  trustedRegistries: ['docker.io/library/node', 'gcr.io/distroless'],
  allowedExternalIPs: [],
};

/** Passes every check; each positive case below adds or changes one thing. */
const HARDENED = `# syntax=docker/dockerfile:1
ARG BASE=gcr.io/distroless/nodejs20-debian12:nonroot
FROM node:20.11-bookworm-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
FROM \${BASE}
WORKDIR /app
COPY --from=build /src /app
EXPOSE 8080
USER 10001:10001
HEALTHCHECK CMD ["/nodejs/bin/node", "/app/health.js"]
CMD ["server.js"]
`;

const ids = (text: string) => scanDockerfile(text, OPTS).violations.map((v) => v.checkId);
const withLine = (line: string) => HARDENED.replace('EXPOSE 8080\n', `EXPOSE 8080\n${line}\n`);
const inBuild = (line: string) => HARDENED.replace('RUN npm ci\n', `RUN npm ci\n${line}\n`);

const positives: Record<string, string> = {
  'docker-latest-tag': HARDENED.replace('FROM node:20.11-bookworm-slim', 'FROM node'),
  'docker-root-user': HARDENED.replace('USER 10001:10001', 'USER root'),
  'docker-port-22': withLine('EXPOSE 22'),
  'docker-add-instead-of-copy': withLine('ADD config.json /app/'),
  'docker-add-url': withLine('ADD https://example.com/tool.bin /usr/local/bin/tool'),
  'docker-copy-from-self': HARDENED.replace(
    'COPY --from=build /src /app',
    'COPY --from=build /src /app',
  ).replace('RUN npm ci\n', 'RUN npm ci\nCOPY --from=build /x /y\n'),
  'docker-multiple-entrypoint': withLine('ENTRYPOINT ["a"]\nENTRYPOINT ["b"]'),
  'docker-multiple-cmd': withLine('CMD ["a"]'),
  'docker-multiple-healthcheck': withLine('HEALTHCHECK CMD ["true"]'),
  'docker-port-out-of-range': withLine('EXPOSE 70000'),
  'docker-workdir-relative': withLine('WORKDIR app'),
  'docker-sudo': inBuild('RUN sudo make install'),
  'docker-copy-dest-slash': withLine('COPY a.txt b.txt /app/dir'),
  'docker-duplicate-alias': HARDENED.replace('FROM ${BASE}', 'FROM alpine:3.20 AS build\nFROM ${BASE}'),
  'docker-run-cd': inBuild('RUN cd /src && make'),
  'docker-wget-and-curl': inBuild(
    'RUN curl -fsSLo a https://example.com/a\nRUN wget -q https://example.com/b',
  ),
  'docker-yum-clean': inBuild('RUN yum install -y gcc'),
  'docker-dnf-clean': inBuild('RUN tdnf install -y gcc'),
  'docker-zypper-clean': inBuild('RUN zypper install -y gcc'),
  'docker-microdnf-clean': inBuild('RUN microdnf install gcc'),
  'docker-update-alone': inBuild('RUN apt-get update'),
  'docker-apt-no-yes': inBuild('RUN apt-get install --no-install-recommends gcc'),
  'docker-maintainer': withLine('MAINTAINER someone@example.com'),
  'docker-dist-upgrade': inBuild('RUN apt-get update && apt-get dist-upgrade -y'),
  'docker-apk-no-cache': inBuild('RUN apk add gcc'),
  'docker-no-healthcheck': HARDENED.replace(/HEALTHCHECK.*\n/, ''),
  'docker-apt-no-install-recommends': inBuild('RUN apt-get update && apt-get install -y gcc'),
  'docker-workdir-system-dir': withLine('WORKDIR /proc/app'),
  'docker-secret-in-env-arg': withLine('ENV DB_PASSWORD=hunter2'),
  'docker-curl-pipe-shell': inBuild('RUN curl -fsSL https://example.com/install.sh | sh'),
  'docker-untrusted-base': HARDENED.replace('FROM ${BASE}', 'FROM quay.io/acme/runtime:1.0'),
  'docker-non-minimal-base': HARDENED.replace('FROM ${BASE}', 'FROM ubuntu:24.04'),
};

describe('dockerfile checks', () => {
  it('the hardened Dockerfile raises nothing (negative case of every check)', () => {
    assert.deepEqual(ids(HARDENED), []);
  });

  it('every check has a positive case', () => {
    assert.deepEqual(
      dockerfileChecks.map((c) => c.id).filter((id) => !positives[id]),
      [],
    );
  });

  for (const [id, text] of Object.entries(positives)) {
    it(`${id}: fires on its positive case`, () => {
      assert.ok(ids(text).includes(id), `${id} not reported; got ${ids(text).join(', ')}`);
    });
  }

  it('no USER at all is root; USER inherited from an earlier stage counts', () => {
    assert.ok(ids('FROM alpine:3.20\nHEALTHCHECK CMD true\n').includes('docker-root-user'));
    assert.ok(
      !ids('FROM alpine:3.20 AS base\nUSER app\nFROM base\nHEALTHCHECK CMD true\n').includes(
        'docker-root-user',
      ),
    );
  });

  it('an archive ADD is fine; an ADD with --checksum is not an unverified URL download', () => {
    assert.ok(!ids(withLine('ADD rootfs.tar.gz /')).includes('docker-add-instead-of-copy'));
    assert.ok(
      !ids(withLine('ADD --checksum=sha256:abc https://example.com/x /x')).includes('docker-add-url'),
    );
  });

  it('resolves global ARG defaults in FROM and ignores stage aliases', () => {
    assert.ok(ids('ARG IMG=alpine\nFROM $IMG\nUSER 1\nHEALTHCHECK CMD true\n').includes('docker-latest-tag'));
    assert.ok(
      !ids('FROM alpine:3.20 AS a\nFROM a\nUSER 1\nHEALTHCHECK CMD true\n').includes('docker-latest-tag'),
    );
  });

  it('a non-instruction line is a parse-error finding at its line', () => {
    const v = scanDockerfile('FROM alpine:3.20\n~\nUSER 1\n').violations;
    assert.deepEqual(
      v.filter((x) => x.checkId === 'parse-error').map((x) => x.startLine),
      [2],
    );
  });
});

describe('dockerfile parser', () => {
  it('joins continuations (skipping comments inside), honours the escape directive, reads heredocs and JSON form', () => {
    const df = parseDockerfile(
      '# escape=`\nFROM mcr.microsoft.com/windows:ltsc2022\nRUN echo a `\n# comment\n  && echo b\nRUN <<EOF\napt-get install x\nEOF\nCMD ["a", "b"]\n',
    );
    const [from, run1, run2, cmd] = df.instructions;
    assert.equal(from!.keyword, 'FROM');
    assert.equal(run1!.args.replace(/\s+/g, ' '), 'echo a && echo b');
    assert.deepEqual([run1!.startLine, run1!.endLine], [3, 5]);
    assert.deepEqual(run2!.heredocs, ['apt-get install x']);
    assert.deepEqual([run2!.startLine, run2!.endLine], [6, 8]);
    assert.deepEqual(cmd!.json, ['a', 'b']);
    assert.deepEqual(df.errors, []);
  });

  it('reads stages with aliases and flags', () => {
    const df = parseDockerfile(
      'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nCOPY --from=build --chown=1:1 /a /b\n',
    );
    assert.deepEqual(
      df.stages.map((s) => [s.image, s.alias]),
      [['golang:1.22', 'build']],
    );
    assert.equal(df.instructions[1]!.flags.from, 'build');
    assert.equal(df.instructions[1]!.flags.chown, '1:1');
  });

  it('reports an unterminated heredoc', () => {
    assert.match(parseDockerfile('FROM a:1\nRUN <<EOF\necho\n').errors[0]!.message, /not terminated/);
  });

  it('recognises Dockerfile names', () => {
    for (const p of ['Dockerfile', 'a/Dockerfile.prod', 'prod.dockerfile', 'x/.Dockerfile', 'Containerfile'])
      assert.ok(requiredDockerfile(p), p);
    for (const p of ['Dockerfile.md', 'docker-compose.yml', 'src/dockerfile.ts'])
      assert.ok(!requiredDockerfile(p), p);
  });
});
