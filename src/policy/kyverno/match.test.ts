import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindMatches, labelSelectorMatches, ruleMatches, type MatchInput } from './match.js';

const deploy = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web-frontend',
    namespace: 'shop',
    labels: { app: 'web', tier: 'fe' },
    annotations: { owner: 'team-a' },
  },
};
const input = (extra: Partial<MatchInput> = {}): MatchInput => ({
  resource: deploy,
  ctx: {},
  operation: 'CREATE',
  ...extra,
});

test('kinds: plain, version/kind, group/version/kind and wildcards', () => {
  const gvk = { group: 'apps', version: 'v1', kind: 'Deployment' };
  assert.equal(kindMatches(['Deployment'], gvk), true);
  assert.equal(kindMatches(['apps/v1/Deployment'], gvk), true);
  assert.equal(kindMatches(['v1/Deployment'], gvk), true);
  assert.equal(kindMatches(['batch/v1/Deployment'], gvk), false);
  assert.equal(kindMatches(['*'], gvk), true);
  assert.equal(kindMatches(['Pod'], gvk), false);
  assert.equal(kindMatches(['Pod/exec'], { group: '', version: 'v1', kind: 'Pod' }, 'exec'), true);
});

test('any = OR, all = AND, legacy flat resources', () => {
  const anyRule = {
    match: { any: [{ resources: { kinds: ['Pod'] } }, { resources: { kinds: ['Deployment'] } }] },
  };
  assert.equal(ruleMatches(anyRule, input()), true);
  const allRule = {
    match: { all: [{ resources: { kinds: ['Deployment'] } }, { resources: { namespaces: ['prod'] } }] },
  };
  assert.equal(ruleMatches(allRule, input()), false);
  const flat = { match: { resources: { kinds: ['Deployment'], names: ['web-*'] } } };
  assert.equal(ruleMatches(flat, input()), true);
  assert.equal(ruleMatches({ match: {} }, input()), false);
});

test('names, namespaces, annotations, selector, operations', () => {
  const m = (resources: Record<string, unknown>) => ({ match: { any: [{ resources }] } });
  assert.equal(ruleMatches(m({ kinds: ['Deployment'], names: ['web-?rontend'] }), input()), true);
  assert.equal(ruleMatches(m({ kinds: ['Deployment'], namespaces: ['sh*'] }), input()), true);
  assert.equal(ruleMatches(m({ kinds: ['Deployment'], namespaces: ['prod'] }), input()), false);
  assert.equal(ruleMatches(m({ kinds: ['Deployment'], annotations: { owner: 'team-*' } }), input()), true);
  assert.equal(
    ruleMatches(m({ kinds: ['Deployment'], selector: { matchLabels: { app: 'web' } } }), input()),
    true,
  );
  assert.equal(
    ruleMatches(
      m({
        kinds: ['Deployment'],
        selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['fe'] }] },
      }),
      input(),
    ),
    false,
  );
  assert.equal(ruleMatches(m({ kinds: ['Deployment'], operations: ['UPDATE'] }), input()), false);
  assert.equal(
    ruleMatches(m({ kinds: ['Deployment'], operations: ['UPDATE'] }), input({ operation: 'UPDATE' })),
    true,
  );
});

test('namespaceSelector uses the namespace labels of the request', () => {
  const rule = {
    match: {
      any: [{ resources: { kinds: ['Deployment'], namespaceSelector: { matchLabels: { env: 'prod' } } } }],
    },
  };
  assert.equal(ruleMatches(rule, input({ ctx: { namespaceLabels: { env: 'prod' } } })), true);
  assert.equal(ruleMatches(rule, input({ ctx: { namespaceLabels: { env: 'dev' } } })), false);
});

test('subjects, roles and clusterRoles; ignored in match without request user info', () => {
  const rule = {
    match: { any: [{ resources: { kinds: ['Deployment'] }, subjects: [{ kind: 'User', name: 'alice' }] }] },
  };
  assert.equal(ruleMatches(rule, input({ ctx: { userInfo: { username: 'alice' } } })), true);
  assert.equal(ruleMatches(rule, input({ ctx: { userInfo: { username: 'bob' } } })), false);
  assert.equal(ruleMatches(rule, input()), true);
  const sa = {
    match: {
      any: [
        {
          resources: { kinds: ['Deployment'] },
          subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'tools' }],
        },
      ],
    },
  };
  assert.equal(
    ruleMatches(sa, input({ ctx: { userInfo: { username: 'system:serviceaccount:tools:ci' } } })),
    true,
  );
  const roles = {
    match: { any: [{ resources: { kinds: ['Deployment'] }, clusterRoles: ['cluster-admin'] }] },
  };
  assert.equal(
    ruleMatches(roles, input({ ctx: { userInfo: { username: 'x' }, clusterRoles: ['cluster-admin'] } })),
    true,
  );
  assert.equal(
    ruleMatches(roles, input({ ctx: { userInfo: { username: 'x' }, clusterRoles: ['view'] } })),
    false,
  );
});

test('exclude drops matched resources (any / all / flat)', () => {
  const base = { any: [{ resources: { kinds: ['Deployment'] } }] };
  assert.equal(
    ruleMatches({ match: base, exclude: { any: [{ resources: { namespaces: ['shop'] } }] } }, input()),
    false,
  );
  assert.equal(
    ruleMatches(
      {
        match: base,
        exclude: { all: [{ resources: { namespaces: ['shop'] } }, { resources: { names: ['other'] } }] },
      },
      input(),
    ),
    true,
  );
  assert.equal(ruleMatches({ match: base, exclude: { resources: { kinds: ['Pod'] } } }, input()), true);
  assert.equal(
    ruleMatches(
      { match: base, exclude: { any: [{ subjects: [{ kind: 'Group', name: 'system:masters' }] }] } },
      input({ ctx: { userInfo: { groups: ['system:masters'] } } }),
    ),
    false,
  );
});

test('label selectors: wildcards in matchLabels, all matchExpressions operators, invalid selectors', () => {
  const labels = { app: 'web', 'team.io/name': 'a' };
  assert.equal(labelSelectorMatches({ matchLabels: { 'team.io/*': '*' } }, labels), true);
  assert.equal(
    labelSelectorMatches(
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] },
      labels,
    ),
    true,
  );
  assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, labels), false);
  assert.equal(
    labelSelectorMatches({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, labels),
    true,
  );
  assert.equal(
    labelSelectorMatches({ matchExpressions: [{ key: 'x', operator: 'Bogus' }] }, labels),
    undefined,
  );
});
