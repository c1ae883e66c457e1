import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { credentialsFromDockerConfig, dockerConfigCredentials, parseChallenges } from './auth.js';
import { isRegistryError } from './errors.js';

test('parses Docker Hub and GHCR style bearer challenges', () => {
  // Header as sent by registry-1.docker.io (distribution spec / Docker token auth docs).
  assert.deepEqual(
    parseChallenges(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
    ),
    [
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:samalba/my-app:pull,push',
        },
      },
    ],
  );
  assert.deepEqual(parseChallenges('Basic realm="Registry Realm"'), [
    { scheme: 'basic', params: { realm: 'Registry Realm' } },
  ]);
  assert.deepEqual(parseChallenges('Basic realm="a", Bearer realm="https://t/x", service=svc'), [
    { scheme: 'basic', params: { realm: 'a' } },
    { scheme: 'bearer', params: { realm: 'https://t/x', service: 'svc' } },
  ]);
  assert.deepEqual(parseChallenges('Bearer realm="a\\"b"'), [{ scheme: 'bearer', params: { realm: 'a"b' } }]);
  assert.deepEqual(parseChallenges(''), []);
  assert.deepEqual(parseChallenges('=,,"'), []);
});

test('docker config auths: base64 user:password, Docker Hub aliases, host keys with scheme', () => {
  const auth = Buffer.from('alice:s3cr:et').toString('base64');
  const doc = {
    auths: {
      'https://index.docker.io/v1/': { auth },
      'https://registry.example.com/v2/': { auth: Buffer.from('bob:pw').toString('base64') },
      'localhost:5000': { username: 'carol', password: 'pw2' },
    },
  };
  assert.deepEqual(credentialsFromDockerConfig(doc, 'docker.io'), { username: 'alice', password: 's3cr:et' });
  assert.deepEqual(credentialsFromDockerConfig(doc, 'registry.example.com'), {
    username: 'bob',
    password: 'pw',
  });
  assert.deepEqual(credentialsFromDockerConfig(doc, 'localhost:5000'), {
    username: 'carol',
    password: 'pw2',
  });
  assert.equal(credentialsFromDockerConfig(doc, 'ghcr.io'), undefined);
  assert.equal(credentialsFromDockerConfig({ credsStore: 'desktop' }, 'ghcr.io'), undefined);
});

test('malformed docker config is refused without echoing secrets', async () => {
  const secret = 'no-colon-secret-value';
  const doc = { auths: { 'ghcr.io': { auth: Buffer.from(secret).toString('base64') } } };
  assert.throws(
    () => credentialsFromDockerConfig(doc, 'ghcr.io'),
    (e: unknown) =>
      isRegistryError(e, 'bad-credentials') &&
      !e.message.includes(secret) &&
      !e.message.includes(doc.auths['ghcr.io'].auth),
  );
  const dir = await mkdtemp(join(tmpdir(), 'rampart-dockercfg-'));
  try {
    const p = join(dir, 'config.json');
    await writeFile(p, `{"auths": {"x": {"auth": "${secret}"`);
    await assert.rejects(
      dockerConfigCredentials('x', p),
      (e: unknown) => isRegistryError(e, 'bad-credentials') && !e.message.includes(secret),
    );
    assert.equal(await dockerConfigCredentials('x', join(dir, 'missing.json')), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
