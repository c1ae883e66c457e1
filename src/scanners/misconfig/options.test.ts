import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { imageLocation, ipAllowed, isTrustedImage } from './options.js';

describe('misconfig options', () => {
  it('normalises image locations', () => {
    assert.equal(imageLocation('nginx'), 'docker.io/library/nginx');
    assert.equal(imageLocation('bitnami/redis:7'), 'docker.io/bitnami/redis');
    assert.equal(imageLocation('myacr.azurecr.io/team/app:1@sha256:abc'), 'myacr.azurecr.io/team/app');
    assert.equal(imageLocation('localhost:5000/app:dev'), 'localhost:5000/app');
  });
  it('matches trusted registries on path boundaries only', () => {
    assert.ok(isTrustedImage('myacr.azurecr.io/team/app:1', ['myacr.azurecr.io']));
    assert.ok(isTrustedImage('ghcr.io/my-org/tool:2', ['ghcr.io/my-org/']));
    assert.ok(!isTrustedImage('myacr.azurecr.io.evil.com/app:1', ['myacr.azurecr.io']));
    assert.ok(!isTrustedImage('ghcr.io/my-org-fake/tool:2', ['ghcr.io/my-org']));
  });
  it('checks IPs against exact addresses and CIDRs', () => {
    assert.ok(ipAllowed('10.1.2.3', ['10.0.0.0/8']));
    assert.ok(ipAllowed('203.0.113.7', ['203.0.113.7']));
    assert.ok(!ipAllowed('11.0.0.1', ['10.0.0.0/8']));
    assert.ok(!ipAllowed('not-an-ip', ['0.0.0.0/0']));
  });
});
