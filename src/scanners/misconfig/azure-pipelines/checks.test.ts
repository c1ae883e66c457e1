import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { looksLikeAzurePipeline, requiredAzurePipelines, scanAzurePipelines } from './index.js';
import { azurePipelinesChecks, isSecretName } from './checks.js';
import { neutraliseHandlebars } from './model.js';

/** Passes every check; each positive case below adds or changes one thing. */
const HARDENED = `trigger:
  branches:
    include: [main]
pr: none

variables:
  buildConfiguration: Release
  System.Debug: 'false'
  dbPassword: $(DbPassword)
  keyVaultName: kv-prod-weu
  imagePullSecret: acr-auth

resources:
  containers:
  - container: builder
    image: mcr.microsoft.com/dotnet/sdk:8.0@sha256:3f1d5b5f5a1e4c2b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c

stages:
- stage: Build
  jobs:
  - job: Build
    pool:
      vmImage: ubuntu-22.04
    container: builder
    steps:
    - checkout: self
      fetchDepth: 1
    - task: UseDotNet@2
      inputs:
        packageType: sdk
        version: 8.x
    - script: |
        dotnet build --configuration $(buildConfiguration)
        echo "building $BRANCH"
      displayName: Build
      env:
        BRANCH: $(Build.SourceBranchName)
        SYSTEM_ACCESSTOKEN: $(System.AccessToken)
    - \${{ if eq(variables['Build.SourceBranch'], 'refs/heads/main') }}:
      - task: AzureCLI@2
        displayName: Deploy
        inputs:
          azureSubscription: prod-wif-connection
          scriptType: bash
          scriptLocation: inlineScript
          inlineScript: |
            az webapp deploy --name app --src-path out.zip
`;

const ids = (text: string) => scanAzurePipelines(text).violations.map((v) => v.checkId);
const addStep = (step: string) =>
  HARDENED.replace('    - task: UseDotNet@2\n', `${step.replace(/^/gm, '    ')}\n    - task: UseDotNet@2\n`);

const positives: Record<string, string> = {
  'ado-secret-in-variables': HARDENED.replace('dbPassword: $(DbPassword)', 'dbPassword: Sup3rS3cret!'),
  'ado-script-injection': addStep('- bash: echo "deploying $(Build.SourceBranchName)"'),
  'ado-container-not-pinned': HARDENED.replace(/sdk:8\.0@sha256:[0-9a-f]+/, 'sdk:8.0'),
  'ado-task-unpinned-major': HARDENED.replace('task: UseDotNet@2', 'task: UseDotNet'),
  'ado-checkout-persist-credentials': HARDENED.replace('fetchDepth: 1', 'persistCredentials: true'),
  'ado-long-lived-cloud-credentials': addStep(
    '- script: |\n    az login --service-principal -u $(appId) -p $(appSecret) --tenant $(tenant)\n    az group list',
  ),
  'ado-unverified-script-exec': addStep('- script: curl -sSL https://example.com/install.sh | bash'),
  'ado-debug-enabled': HARDENED.replace("System.Debug: 'false'", 'System.Debug: true'),
};

describe('azure pipelines checks', () => {
  it('the hardened pipeline raises nothing (negative case of every check)', () => {
    assert.deepEqual(scanAzurePipelines(HARDENED).violations, []);
  });

  it('every check has a positive case', () => {
    assert.deepEqual(
      azurePipelinesChecks.map((c) => c.id).filter((id) => !positives[id]),
      [],
    );
  });

  for (const [id, text] of Object.entries(positives)) {
    it(`${id}: fires on its positive case`, () => {
      assert.ok(ids(text).includes(id), `${id} not reported; got ${ids(text).join(', ')}`);
    });
  }

  it('reports the line of an injection inside a multi-line script', () => {
    const text = addStep(
      '- bash: |\n    set -eu\n    echo "$(Build.SourceVersionMessage)"\n  displayName: Echo',
    );
    const v = scanAzurePipelines(text).violations.find((x) => x.checkId === 'ado-script-injection')!;
    assert.equal(text.split('\n')[v.startLine - 1]!.trim(), 'echo "$(Build.SourceVersionMessage)"');
    assert.match(v.message, /Build\.SourceVersionMessage/);
  });

  it('finds injections through template expressions and in inline-script task inputs', () => {
    const viaExpr = addStep(`- pwsh: Write-Host "\${{ variables['System.PullRequest.SourceBranch'] }}"`);
    assert.ok(ids(viaExpr).includes('ado-script-injection'));
    const viaInput = HARDENED.replace(
      'az webapp deploy --name app --src-path out.zip',
      'az tag create --name $(Build.RequestedFor)',
    );
    assert.ok(ids(viaInput).includes('ado-script-injection'));
    // Trusted variables and macros in env/condition are fine.
    assert.ok(
      !ids(addStep('- script: echo $(Build.BuildId) $(Build.SourcesDirectory)')).includes(
        'ado-script-injection',
      ),
    );
  });

  it('container: latest, no tag and tag-only are told apart; a resource alias is not an image', () => {
    const latest = HARDENED.replace(/image: mcr[^\n]+/, 'image: node:latest');
    assert.match(scanAzurePipelines(latest).violations[0]!.message, /latest tag/);
    const jobImage = HARDENED.replace('    container: builder', '    container: ubuntu');
    const msgs = scanAzurePipelines(jobImage).violations.map((v) => v.message);
    assert.deepEqual(msgs, ['container image ubuntu has no tag (latest)']);
    const withImage = HARDENED.replace('    container: builder', '    container:\n      image: ubuntu:22.04');
    assert.match(scanAzurePipelines(withImage).violations[0]!.message, /pinned by tag, not digest/);
    assert.deepEqual(
      ids(HARDENED.replace('    container: builder', '    container: ${{ parameters.image }}')),
      [],
    );
  });

  it('a secret set from a literal in a logging command is reported; one set from a variable is not', () => {
    const literal = addStep('- bash: echo "##vso[task.setvariable variable=tok;issecret=true]abc123def"');
    assert.ok(ids(literal).includes('ado-secret-in-variables'));
    const fromVar = addStep('- bash: echo "##vso[task.setvariable variable=tok;issecret=true]$TOKEN"');
    assert.ok(!ids(fromVar).includes('ado-secret-in-variables'));
  });

  it('literal secrets in list-form variables, step env and task inputs', () => {
    const list = HARDENED.replace(
      'variables:\n  buildConfiguration: Release',
      'variables:\n- name: apiKey\n  value: 0123456789abcdef\n- group: shared\n- name: buildConfiguration\n  value: Release',
    )
      .replace("  System.Debug: 'false'\n", '')
      .replace('  dbPassword: $(DbPassword)\n', '')
      .replace('  keyVaultName: kv-prod-weu\n', '')
      .replace('  imagePullSecret: acr-auth\n', '');
    assert.deepEqual(ids(list), ['ado-secret-in-variables']);
    assert.ok(
      ids(HARDENED.replace('SYSTEM_ACCESSTOKEN: $(System.AccessToken)', 'NPM_TOKEN: npm_abcdefgh')).includes(
        'ado-secret-in-variables',
      ),
    );
    assert.ok(
      ids(HARDENED.replace('version: 8.x', 'password: hunter22')).includes('ado-secret-in-variables'),
    );
  });

  it('names: holders of a secret versus names that only describe one', () => {
    for (const n of [
      'dbPassword',
      'DB_PASS',
      'ARM_CLIENT_SECRET',
      'storageAccountKey',
      'ConnectionString',
      'apiKey',
      'GIT_PAT',
    ])
      assert.ok(isSecretName(n), n);
    for (const n of [
      'keyVaultName',
      'secretName',
      'imagePullSecret',
      'tokenUrl',
      'passwordFile',
      'cacheKey',
      'passRate',
      'backendAzureRmKey',
    ])
      assert.ok(!isSecretName(n), n);
  });

  it('long-lived credentials: env mapping and aws configure; federated login is fine', () => {
    assert.ok(
      ids(
        HARDENED.replace('SYSTEM_ACCESSTOKEN: $(System.AccessToken)', 'AWS_SECRET_ACCESS_KEY: $(awsKey)'),
      ).includes('ado-long-lived-cloud-credentials'),
    );
    assert.ok(
      ids(addStep('- script: aws configure set aws_secret_access_key $(awsKey)')).includes(
        'ado-long-lived-cloud-credentials',
      ),
    );
    const wif = addStep(
      '- script: |\n    az login --service-principal -u $(appId) --tenant $(tenant) \\\n      --federated-token "$(cat $TOKEN_FILE)"',
    );
    assert.ok(!ids(wif).includes('ado-long-lived-cloud-credentials'));
  });

  it('unverified download: a download pinned to a commit SHA is fine', () => {
    const pinned = addStep(
      '- script: curl -sSL https://raw.githubusercontent.com/org/repo/0123456789abcdef0123456789abcdef01234567/install.sh | bash',
    );
    assert.ok(!ids(pinned).includes('ado-unverified-script-exec'));
    assert.ok(
      ids(addStep("- powershell: iex (iwr 'https://example.com/i.ps1')")).includes(
        'ado-unverified-script-exec',
      ),
    );
  });

  it('checkout: none with persistCredentials is not reported', () => {
    assert.deepEqual(
      ids(
        HARDENED.replace(
          'checkout: self\n      fetchDepth: 1',
          'checkout: none\n      persistCredentials: true',
        ),
      ),
      [],
    );
  });
});

describe('azure pipelines parsing and recognition', () => {
  it('malformed YAML is a parse-error finding at its line', () => {
    const v = scanAzurePipelines('trigger: [main]\nsteps:\n- script: echo a\n  bad: [unclosed\n').violations;
    assert.equal(v[0]!.checkId, 'parse-error');
    assert.ok(v[0]!.startLine >= 4);
  });

  it('Handlebars placeholders of starter templates keep positions and do not break parsing', () => {
    const tpl =
      'trigger:\n- {{ branch }}\npool:\n  {{ pool }}\nvariables:\n  a: 1\n  {{#if x}}\n  b: 2\n  {{/if}}\nsteps:\n- script: echo $(Build.SourceBranchName)\n';
    const out = neutraliseHandlebars(tpl);
    assert.equal(out.length, tpl.length);
    assert.equal(out.split('\n')[1], '- ____________');
    assert.equal(out.split('\n')[6]!.trim(), '');
    const v = scanAzurePipelines(tpl).violations;
    assert.deepEqual(
      v.map((x) => [x.checkId, x.startLine]),
      [['ado-script-injection', 11]],
    );
    assert.equal(neutraliseHandlebars('x: ${{ parameters.a }}'), 'x: ${{ parameters.a }}');
  });

  it('recognises Azure Pipelines and templates, not GitHub, GitLab or Concourse files', () => {
    assert.ok(looksLikeAzurePipeline(HARDENED));
    assert.ok(looksLikeAzurePipeline('parameters:\n- name: x\nsteps:\n- bash: echo hi\n'));
    assert.ok(looksLikeAzurePipeline('variables:\n  a: b\n'));
    assert.ok(looksLikeAzurePipeline('trigger: none\nextends:\n  template: t.yml\n'));
    assert.ok(
      !looksLikeAzurePipeline(
        'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n    - run: make\n',
      ),
    );
    assert.ok(!looksLikeAzurePipeline('stages: [build]\nbuild:\n  stage: build\n  script:\n    - make\n'));
    assert.ok(
      !looksLikeAzurePipeline(
        'resources:\n- name: repo\n  type: git\njobs:\n- name: unit\n  plan:\n  - get: repo\n  - task: unit\n    file: repo/ci/unit.yml\n',
      ),
    );
    assert.ok(!looksLikeAzurePipeline('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n'));
    assert.deepEqual(scanAzurePipelines('apiVersion: v1\nkind: ConfigMap\n'), { violations: [] });
  });

  it('recognises pipeline paths', () => {
    for (const p of [
      'azure-pipelines.yml',
      'ci/azure-pipelines.yaml',
      '.azure-pipelines.yml',
      'azure-pipelines-2.yml',
      'build.azure-pipelines.yml',
      '.azure-pipelines/release.yml',
      '.azuredevops/pipelines/ci.yaml',
      'eng/pipelines/templates/steps.yml',
    ])
      assert.ok(requiredAzurePipelines(p), p);
    for (const p of ['azure-pipelines.md', 'templates/go.yml', '.github/workflows/ci.yml', 'k8s/deploy.yaml'])
      assert.ok(!requiredAzurePipelines(p), p);
  });

  it('skips oversized files with a reason', () => {
    const big = `steps:\n- script: echo\n#${'x'.repeat(4 * 1024 * 1024)}\n`;
    assert.match(scanAzurePipelines(big).skipped ?? '', /larger than/);
  });
});
