import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { githubActionsChecks, looksLikeWorkflow, requiredGithubActions, scanGithubActions } from './index.js';

/** Passes every check; each positive case below changes one thing. Hand-written. */
const HARDENED = `name: ci
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - uses: docker/setup-buildx-action@b5ca514318bd6ebac0fb2aedd5d36ec1b5c232a2 # v3.10.0
      - uses: ./.github/actions/local
      - name: Greet
        env:
          TITLE: \${{ github.event.pull_request.title }}
        run: |
          echo "PR #\${{ github.event.pull_request.number }} at \${{ github.event.pull_request.head.sha }}"
          echo "$TITLE"
          echo "\${{ secrets.REGISTRY_TOKEN }}" | docker login ghcr.io -u bot --password-stdin
          if [ "\${{ github.event.pull_request.title == 'wip' }}" = true ]; then exit 0; fi
      - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2
        with:
          name: report
          path: report/
  deploy:
    if: github.event_name == 'push'
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      id-token: write
    steps:
      - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502 # v4.0.2
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: eu-west-1
`;

const ids = (text: string) => scanGithubActions(text).violations.map((v) => v.checkId);
const lines = (text: string, id: string) =>
  scanGithubActions(text)
    .violations.filter((v) => v.checkId === id)
    .map((v) => v.startLine);
const addRun = (line: string) =>
  HARDENED.replace('          echo "$TITLE"\n', `          echo "$TITLE"\n          ${line}\n`);

const positives: Record<string, string> = {
  'gha-unpinned-action': HARDENED.replace(/setup-buildx-action@\w+/, 'setup-buildx-action@v3'),
  'gha-unpinned-first-party-action': HARDENED.replace(/upload-artifact@\w+/, 'upload-artifact@v4'),
  'gha-pr-target-checkout': HARDENED.replace('  pull_request:\n', '  pull_request_target:\n').replace(
    '          persist-credentials: false\n',
    '          persist-credentials: false\n          ref: ${{ github.event.pull_request.head.sha }}\n',
  ),
  'gha-script-injection': HARDENED.replace('echo "$TITLE"', 'echo "${{ github.event.pull_request.title }}"'),
  'gha-script-injection-input': HARDENED.replace(
    '  push:\n',
    '  workflow_dispatch:\n    inputs:\n      tag:\n        type: string\n  push:\n',
  ).replace('echo "$TITLE"', 'echo "${{ inputs.tag }}"'),
  'gha-permissions-write-all': HARDENED.replace(
    'permissions:\n  contents: read\njobs:',
    'permissions: write-all\njobs:',
  ),
  'gha-permissions-missing': HARDENED.replace('permissions:\n  contents: read\njobs:', 'jobs:'),
  'gha-secrets-echoed': addRun('echo "token: ${{ secrets.REGISTRY_TOKEN }}"'),
  'gha-long-lived-cloud-credentials': HARDENED.replace(
    'role-to-assume: arn:aws:iam::123456789012:role/deploy',
    'aws-access-key-id: ${{ secrets.AWS_KEY_ID }}\n          aws-secret-access-key: ${{ secrets.AWS_SECRET }}',
  ),
  'gha-self-hosted-public': HARDENED.replace('runs-on: ubuntu-24.04', 'runs-on: [self-hosted, linux]'),
  'gha-checkout-persist-credentials': HARDENED.replace(
    '        with:\n          persist-credentials: false\n',
    '',
  ),
};

describe('github actions checks', () => {
  it('the hardened workflow raises nothing (negative case of every check)', () => {
    assert.deepEqual(ids(HARDENED), []);
  });

  it('every check has a positive case', () => {
    assert.deepEqual(
      githubActionsChecks.map((c) => c.id).filter((id) => !positives[id]),
      [],
    );
  });

  for (const [id, text] of Object.entries(positives)) {
    it(`${id}: fires on its positive case`, () => {
      assert.ok(ids(text).includes(id), `${id} not reported; got ${ids(text).join(', ')}`);
    });
  }

  it('every check has an id prefix, remediation and equivalents or a reason for none', () => {
    for (const c of githubActionsChecks) {
      assert.match(c.id, /^gha-/);
      assert.ok(c.remediation.length > 10 && c.references.length > 0, c.id);
    }
  });

  it('reports the line of the offending value', () => {
    assert.deepEqual(lines(positives['gha-unpinned-action']!, 'gha-unpinned-action'), [15]);
    assert.deepEqual(lines(positives['gha-script-injection']!, 'gha-script-injection'), [22]);
    assert.deepEqual(lines(positives['gha-pr-target-checkout']!, 'gha-pr-target-checkout'), [15]);
    assert.deepEqual(lines(positives['gha-permissions-write-all']!, 'gha-permissions-write-all'), [6]);
    assert.deepEqual(lines(positives['gha-self-hosted-public']!, 'gha-self-hosted-public'), [10]);
  });
});

const wf = (on: string, steps: string, extra = '') => `on: ${on}
permissions: {}
jobs:
  j:
    runs-on: ubuntu-latest${extra}
    steps:
${steps}`;
const runStep = (script: string) =>
  `      - run: |\n${script
    .split('\n')
    .map((l) => `          ${l}`)
    .join('\n')}\n`;

describe('gha-script-injection', () => {
  const inj = (script: string, on = 'pull_request') =>
    ids(wf(on, runStep(script))).filter((i) => i === 'gha-script-injection').length;

  it('follows the value, not the mention: comparisons and contains() yield booleans', () => {
    assert.equal(inj(`echo "\${{ github.event.issue.title == 'x' }}"`), 0);
    assert.equal(inj(`echo "\${{ contains(github.event.issue.body, 'x') }}"`), 0);
    assert.equal(inj(`echo "\${{ !github.event.issue.body }}"`), 0);
    assert.equal(inj(`echo "\${{ github.event.issue.body && 'yes' || 'no' }}"`), 0);
    assert.equal(inj(`echo "\${{ github.event.issue.title || 'none' }}"`), 1);
    assert.equal(inj(`echo "\${{ format('{0}!', github.event.comment.body) }}"`), 1);
    assert.equal(inj(`echo "\${{ toJSON(github.event) }}"`), 1);
    assert.equal(inj(`echo "\${{ github.event }}"`), 0);
  });

  it('normalises bracket notation, indices and case', () => {
    assert.equal(inj(`echo "\${{ github['head_ref'] }}"`), 1);
    assert.equal(inj(`echo "\${{ GitHub.Event.Issue.Title }}"`), 1);
    assert.equal(inj(`echo "\${{ github.event.commits[0].message }}"`, 'push'), 1);
    assert.equal(inj(`echo "\${{ github.event.pages.*.page_name }}"`, 'gollum'), 1);
  });

  it('ids, numbers and SHAs are safe', () => {
    for (const safe of [
      'github.event.pull_request.number',
      'github.event.pull_request.head.sha',
      'github.sha',
      'github.event.issue.user.id',
      'github.triggering_actor',
      'steps.x.outputs.y',
    ])
      assert.equal(inj(`echo "\${{ ${safe} }}"`), 0, safe);
  });

  it('follows env indirection to the expression that defines the variable', () => {
    const text = wf(
      'issues',
      `      - env:\n          T: \${{ github.event.issue.title }}\n        run: echo "\${{ env.T }}"\n      - env:\n          T: fixed\n        run: echo "\${{ env.T }}"\n`,
    );
    // line 9: the first step's run (line 7 `- env:`, line 8 `T: …`)
    assert.deepEqual(lines(text, 'gha-script-injection'), [9]);
  });

  it('checks actions/github-script scripts, and reports the line inside a block scalar', () => {
    const text = wf(
      'issues',
      `      - uses: actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea\n        with:\n          script: |\n            const a = 1;\n            return "\${{ github.event.issue.body }}"\n`,
    );
    assert.deepEqual(lines(text, 'gha-script-injection'), [11]);
  });

  it('an expression in env: or with: of another action is not a script', () => {
    const text = wf(
      'issues',
      `      - uses: some/action@v1\n        with:\n          title: \${{ github.event.issue.title }}\n`,
    );
    assert.ok(!ids(text).includes('gha-script-injection'));
  });

  it('anchored scripts are reported at the anchor (YAML aliases followed)', () => {
    const text = wf('issues', `      - run: &s echo "\${{ github.event.issue.title }}"\n      - run: *s\n`);
    assert.deepEqual(lines(text, 'gha-script-injection'), [7, 7]);
  });
});

describe('gha-script-injection-input', () => {
  const typed = (type: string) =>
    `on:\n  workflow_dispatch:\n    inputs:\n      v:\n        type: ${type}\npermissions: {}\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \${{ inputs.v }} \${{ github.event.inputs.v }}\n`;
  it('string inputs are reported once per line; boolean, number and choice inputs are not', () => {
    assert.deepEqual(lines(typed('string'), 'gha-script-injection-input'), [11]);
    for (const t of ['boolean', 'number', 'choice'])
      assert.ok(!ids(typed(t)).includes('gha-script-injection-input'), t);
  });

  it('composite action inputs are untyped and reported', () => {
    const action = `name: a\ninputs:\n  ref:\n    description: r\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: git checkout \${{ inputs.ref }}\n`;
    assert.deepEqual(
      scanGithubActions(action).violations.map((v) => [v.checkId, v.startLine]),
      [['gha-script-injection-input', 9]],
    );
  });
});

describe('gha-pr-target-checkout', () => {
  const checkout = (ref: string) =>
    `      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n        with:\n          persist-credentials: false\n          ref: ${ref}\n`;
  it('workflow_run head_sha and refs/pull merges are PR code; pull_request is not privileged', () => {
    assert.ok(
      ids(wf('workflow_run', checkout('${{ github.event.workflow_run.head_sha }}'))).includes(
        'gha-pr-target-checkout',
      ),
    );
    assert.ok(
      ids(wf('pull_request_target', checkout('refs/pull/${{ github.event.number }}/merge'))).includes(
        'gha-pr-target-checkout',
      ),
    );
    assert.ok(
      !ids(wf('pull_request', checkout('${{ github.event.pull_request.head.sha }}'))).includes(
        'gha-pr-target-checkout',
      ),
    );
    assert.ok(
      !ids(wf('pull_request_target', checkout('${{ github.event.pull_request.base.sha }}'))).includes(
        'gha-pr-target-checkout',
      ),
    );
  });

  it('gh pr checkout in an issue_comment workflow', () => {
    const text = wf('issue_comment', runStep('gh pr checkout ${{ github.event.issue.number }}\nmake test'));
    // line 7 is `- run: |`, line 8 the gh command
    assert.deepEqual(lines(text, 'gha-pr-target-checkout'), [8]);
  });
});

describe('gha-secrets-echoed', () => {
  const echoed = (script: string) => ids(wf('push', runStep(script))).includes('gha-secrets-echoed');
  it('printing is reported; piping into a consumer, masking and writing a file are not', () => {
    assert.ok(echoed('echo ${{ secrets.A }}'));
    assert.ok(echoed('printf "%s" "${{ secrets.A }}" >&2'));
    assert.ok(echoed('echo "tok=${{ secrets.A }}" >> "$GITHUB_OUTPUT"'));
    assert.ok(echoed('echo "${{ secrets.A }}" | tee out.txt'));
    assert.ok(echoed('cat <<EOF\nkey: ${{ secrets.A }}\nEOF'));
    assert.ok(!echoed('echo "${{ secrets.A }}" | docker login -u x --password-stdin'));
    assert.ok(!echoed('echo "::add-mask::${{ secrets.A }}"'));
    assert.ok(!echoed('echo "${{ secrets.A }}" > key.pem && chmod 600 key.pem'));
    assert.ok(!echoed('kubectl apply -f - <<EOF\nkey: ${{ secrets.A }}\nEOF'));
    assert.ok(!echoed('curl -H "Authorization: ${{ secrets.A }}" https://example.com'));
    assert.ok(!echoed('echo "${{ secrets.A != \'\' }}"'));
  });

  it('toJSON(secrets), dynamic secrets[...] and fromJSON(secrets.x) anywhere', () => {
    const env = (v: string) => wf('push', `      - run: ./x\n        env:\n          S: \${{ ${v} }}\n`);
    assert.ok(ids(env('toJSON(secrets)')).includes('gha-secrets-echoed'));
    assert.ok(ids(env("secrets[format('K_{0}', matrix.env)]")).includes('gha-secrets-echoed'));
    assert.ok(ids(env('fromJSON(secrets.CONFIG).password')).includes('gha-secrets-echoed'));
    assert.ok(!ids(env('toJSON(secrets.ONE)')).includes('gha-secrets-echoed'));
    assert.ok(!ids(env('secrets.ONE')).includes('gha-secrets-echoed'));
  });
});

describe('gha-unpinned-action', () => {
  const uses = (u: string) =>
    scanGithubActions(wf('push', `      - uses: ${u}\n`))
      .violations.map((v) => v.checkId)
      .filter((i) => i.startsWith('gha-unpinned'));
  it('classifies uses: references', () => {
    assert.deepEqual(uses('./local-action'), []);
    assert.deepEqual(uses('docker://alpine@sha256:' + 'a'.repeat(64)), []);
    assert.deepEqual(uses('docker://alpine:3.20'), ['gha-unpinned-action']);
    assert.deepEqual(uses('pypa/gh-action-pypi-publish@release/v1'), ['gha-unpinned-action']);
    assert.deepEqual(uses('owner/repo/sub/dir@abc1234'), ['gha-unpinned-action']);
    assert.deepEqual(uses('owner/repo@' + 'ab'.repeat(20)), []);
    assert.deepEqual(uses('github/codeql-action/init@v3'), ['gha-unpinned-first-party-action']);
    assert.deepEqual(uses('actions/checkout'), ['gha-unpinned-action']);
  });

  it('reusable workflow calls and docker actions are checked too', () => {
    const call = `on: push\npermissions: {}\njobs:\n  call:\n    uses: org/workflows/.github/workflows/build.yml@main\n`;
    assert.deepEqual(lines(call, 'gha-unpinned-action'), [5]);
    const docker = `name: d\nruns:\n  using: docker\n  image: docker://ghcr.io/org/img:1\n`;
    assert.deepEqual(ids(docker), ['gha-unpinned-action']);
    assert.deepEqual(ids(`name: d\nruns:\n  using: docker\n  image: Dockerfile\n`), []);
  });
});

describe('permissions', () => {
  it('write-all on a job is reported at the job', () => {
    const text = `on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    permissions: write-all\n    steps: []\n`;
    assert.deepEqual(lines(text, 'gha-permissions-write-all'), [6]);
  });

  it('missing: not when every job declares, not for reusable workflows; reported at jobs:', () => {
    const jobs = `jobs:\n  a:\n    runs-on: x\n    permissions: {}\n    steps: []\n  b:\n    runs-on: x\n    steps: []\n`;
    assert.deepEqual(lines(`on: push\n${jobs}`, 'gha-permissions-missing'), [2]);
    assert.deepEqual(lines(`on: workflow_call\n${jobs}`, 'gha-permissions-missing'), []);
    assert.deepEqual(
      lines(
        `on: push\n${jobs.replace('    steps: []\n  b:', '    steps: []\n  b:\n    permissions: {}')}`,
        'gha-permissions-missing',
      ),
      [],
    );
  });
});

describe('gha-long-lived-cloud-credentials', () => {
  it('azure/login creds, google auth credentials_json and AWS env from secrets', () => {
    const azure = wf(
      'push',
      `      - uses: azure/login@a457da9ea143d694b1b9c7c869ebb04ebe844ef5\n        with:\n          creds: \${{ secrets.AZURE_CREDENTIALS }}\n`,
    );
    assert.deepEqual(lines(azure, 'gha-long-lived-cloud-credentials'), [9]);
    const oidc = wf(
      'push',
      `      - uses: azure/login@a457da9ea143d694b1b9c7c869ebb04ebe844ef5\n        with:\n          client-id: \${{ vars.CLIENT_ID }}\n          tenant-id: t\n          subscription-id: s\n`,
    );
    assert.deepEqual(lines(oidc, 'gha-long-lived-cloud-credentials'), []);
    const env = `on: push\npermissions: {}\nenv:\n  AWS_SECRET_ACCESS_KEY: \${{ secrets.AWS }}\njobs:\n  a:\n    runs-on: x\n    steps: []\n`;
    assert.deepEqual(lines(env, 'gha-long-lived-cloud-credentials'), [4]);
  });
});

describe('gha-self-hosted-public', () => {
  it('matrix values and runner label objects count; push-only workflows are not reported', () => {
    const matrix = `on: pull_request\npermissions: {}\njobs:\n  a:\n    runs-on: \${{ matrix.os }}\n    strategy:\n      matrix:\n        os: [ubuntu-latest]\n        include:\n          - os: self-hosted\n    steps: []\n`;
    assert.deepEqual(lines(matrix, 'gha-self-hosted-public'), [5]);
    const labels = `on: issue_comment\npermissions: {}\njobs:\n  a:\n    runs-on:\n      labels: [self-hosted, gpu]\n    steps: []\n`;
    assert.deepEqual(lines(labels, 'gha-self-hosted-public'), [6]);
    assert.deepEqual(lines(labels.replace('issue_comment', 'push'), 'gha-self-hosted-public'), []);
  });
});

describe('gha-checkout-persist-credentials', () => {
  const job = (perms: string) =>
    `on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    permissions: ${perms}\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n`;
  it('only when the token can write or an artifact is uploaded', () => {
    assert.deepEqual(lines(job('{ contents: read }'), 'gha-checkout-persist-credentials'), []);
    assert.deepEqual(
      lines(job('{ id-token: write, contents: read }'), 'gha-checkout-persist-credentials'),
      [],
    );
    assert.deepEqual(lines(job('{ contents: write }'), 'gha-checkout-persist-credentials'), [8]);
    assert.deepEqual(
      lines(
        job('{ contents: write }') + `        with:\n          persist-credentials: 'false'\n`,
        'gha-checkout-persist-credentials',
      ),
      [],
    );
  });
});

describe('file recognition and parsing', () => {
  it('requiredGithubActions by path', () => {
    for (const p of [
      '.github/workflows/ci.yml',
      'repo/.github/workflows/sub/x.yaml',
      'action.yml',
      'a/b/action.yaml',
    ])
      assert.ok(requiredGithubActions(p), p);
    for (const p of ['ci.yml', '.github/dependabot.yml', 'workflows/ci.yml', 'my-action.yml'])
      assert.ok(!requiredGithubActions(p), p);
  });

  it('looksLikeWorkflow needs top-level on (or true) and jobs', () => {
    assert.ok(looksLikeWorkflow('on: push\njobs:\n  a: {}\n'));
    assert.ok(looksLikeWorkflow('"on": push\njobs: {}\n'));
    assert.ok(looksLikeWorkflow('true:\n  push:\njobs: {}\n'));
    assert.ok(!looksLikeWorkflow('apiVersion: v1\nkind: Job\nspec:\n  on: x\n  jobs: 1\n'));
    assert.ok(!looksLikeWorkflow('jobs:\n  - a\n'));
  });

  it('other YAML gets no finding, not even a parse error', () => {
    assert.deepEqual(scanGithubActions('apiVersion: v1\nkind: Pod\n').violations, []);
    assert.deepEqual(scanGithubActions('key: [unclosed\n').violations, []);
    assert.deepEqual(scanGithubActions('on: push\njobs:\n  - not a mapping\n').violations, []);
  });

  it('malformed workflow YAML is a parse-error finding at its line', () => {
    const v = scanGithubActions('on: push\njobs:\n  a:\n    runs-on: [x\n    steps: []\n').violations;
    assert.deepEqual(
      v.map((x) => x.checkId),
      ['parse-error'],
    );
    const dup = scanGithubActions('on: push\njobs:\n  a:\n    runs-on: x\n    runs-on: y\n').violations;
    assert.deepEqual(
      dup.map((x) => [x.checkId, x.startLine]),
      [['parse-error', 5]],
    );
  });

  it('hostile input: deep flow nesting and alias bombs are parse errors, not crashes', () => {
    const deep = `on: push\njobs: ${'['.repeat(300)}${']'.repeat(300)}\n`;
    assert.deepEqual(
      scanGithubActions(deep).violations.map((x) => x.checkId),
      ['parse-error'],
    );
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 8; i++)
      bomb += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    const v = scanGithubActions(`on: push\n${bomb}jobs: {}\n`).violations;
    assert.deepEqual(
      v.map((x) => x.checkId),
      ['parse-error'],
    );
  });

  it('a YAML 1.1 document (on: read as true) is still a workflow', () => {
    const text = `%YAML 1.1\n---\non: pull_request_target\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n        with:\n          persist-credentials: false\n          ref: \${{ github.head_ref }}\n`;
    assert.deepEqual(lines(text, 'gha-pr-target-checkout'), [12]);
  });
});

describe('hostile input stays fast', () => {
  it('a huge one-line script with thousands of expressions', () => {
    const line = 'echo ${{ secrets.A }} > f; git fetch x; '.repeat(50_000);
    const text = wf('pull_request_target', `      - run: "${line}"\n`);
    const t0 = performance.now();
    scanGithubActions(text);
    assert.ok(performance.now() - t0 < 5000, `took ${performance.now() - t0} ms`);
  });
});
