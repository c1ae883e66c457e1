import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { RampartError } from '../core/errors.js';
import { CONFIG_FILE_NAMES, OPTIONS, defaultConfig, loadConfig, loadConfigWithSource } from './load.js';
import type { RampartConfig } from './types.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'rampart-config-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A fresh directory holding `files`. */
function project(files: Record<string, string> = {}): string {
  const dir = path.join(root, `p${n++}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function load(
  cwd: string,
  env: Record<string, string> = {},
  flags: Record<string, unknown> = {},
  configPath?: string,
): RampartConfig {
  return loadConfig({ cwd, env, flags, ...(configPath !== undefined ? { configPath } : {}) });
}

/** The one-line CONFIG_INVALID message `fn` throws. */
function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RampartError, String(err));
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.doesNotMatch(err.message, /\n/);
    return err.message;
  }
  assert.fail('expected a CONFIG_INVALID error');
}

test('defaults when there is no file, environment or flag', () => {
  const config = load(project());
  assert.deepEqual(config, {
    scanners: ['secret'],
    severity: ['critical', 'high', 'medium', 'low', 'info'],
    format: 'table',
    exitCode: 0,
    showSuppressed: false,
    maxFileSize: 10 * 1024 * 1024,
    fileTimeout: 10_000,
    skipPaths: [],
    respectGitignore: true,
    progress: 'auto',
    debug: false,
    secret: { disableRules: [], enableRules: [] },
    misconfig: { disableRules: [], trustedRegistries: [], allowedExternalIps: [] },
    deps: { dbMaxAgeDays: 7, licenseAllow: [], licenseDeny: [], vex: [], includeDev: true },
    policy: { paths: [], builtin: [] },
  });
  assert.deepEqual(config, defaultConfig());
});

const FULL = `# every option
scanners: [secret]
severity: [HIGH, critical]
format: sarif
output: reports/rampart.sarif
exit-code: 3
ignorefile: .rampart-ignore.yaml
baseline: ../baseline.json
show-suppressed: true
max-file-size: 512KB
file-timeout: 2.5s
skip-paths:
  - vendor/
  - "**/*.min.js"
respect-gitignore: false
progress: never
debug: true
secret:
  disable-rules: [secret/generic-api-key, jwt]
  enable-rules: []
misconfig:
  disable-rules: [misconfig/k8s-latest-tag]
  trusted-registries: [myacr.azurecr.io, ghcr.io/my-org/]
  allowed-external-ips: [203.0.113.0/24]
deps:
  db-dir: cache/db
  db-max-age-days: 3
  license-allow: [MIT, Apache-2.0]
  license-deny: GPL-3.0-only
  vex: [security/vex.json]
  include-dev: false
policy:
  paths: [k8s/policies]
  builtin: restricted
`;

test('rampart.yaml: every option, relative paths resolved against the file', () => {
  const dir = project({ 'rampart.yaml': FULL });
  const { config, file } = loadConfigWithSource({ cwd: dir, env: {}, flags: {} });
  assert.equal(file, path.join(dir, 'rampart.yaml'));
  assert.deepEqual(config, {
    scanners: ['secret'],
    severity: ['high', 'critical'],
    format: 'sarif',
    output: path.join(dir, 'reports/rampart.sarif'),
    exitCode: 3,
    ignorefile: path.join(dir, '.rampart-ignore.yaml'),
    baseline: path.join(root, 'baseline.json'),
    showSuppressed: true,
    maxFileSize: 512 * 1024,
    fileTimeout: 2500,
    skipPaths: ['vendor/', '**/*.min.js'],
    respectGitignore: false,
    progress: 'never',
    debug: true,
    secret: { disableRules: ['generic-api-key', 'jwt'], enableRules: [] },
    misconfig: {
      disableRules: ['k8s-latest-tag'],
      trustedRegistries: ['myacr.azurecr.io', 'ghcr.io/my-org/'],
      allowedExternalIps: ['203.0.113.0/24'],
    },
    deps: {
      dbDir: path.join(dir, 'cache/db'),
      dbMaxAgeDays: 3,
      licenseAllow: ['MIT', 'Apache-2.0'],
      licenseDeny: ['GPL-3.0-only'],
      vex: [path.join(dir, 'security/vex.json')],
      includeDev: false,
    },
    policy: { paths: [path.join(dir, 'k8s/policies')], builtin: ['restricted'] },
  });
});

test('file names: rampart.yaml, then rampart.yml, then .rampart.yaml; --config and RAMPART_CONFIG', () => {
  assert.deepEqual(CONFIG_FILE_NAMES, ['rampart.yaml', 'rampart.yml', '.rampart.yaml']);
  assert.equal(
    load(project({ 'rampart.yml': 'format: json\n', '.rampart.yaml': 'format: junit\n' })).format,
    'json',
  );
  assert.equal(load(project({ '.rampart.yaml': 'format: junit\n' })).format, 'junit');
  const dir = project({
    'rampart.yaml': 'format: json\n',
    'ci/strict.yaml': 'format: sarif\noutput: out.sarif\n',
  });
  const viaFlag = load(dir, {}, {}, 'ci/strict.yaml');
  assert.equal(viaFlag.format, 'sarif');
  assert.equal(viaFlag.output, path.join(dir, 'ci', 'out.sarif'));
  assert.equal(load(dir, { RAMPART_CONFIG: 'ci/strict.yaml' }).format, 'sarif');
  assert.equal(
    problem(() => load(dir, {}, {}, 'nope.yaml')),
    'config file not found: nope.yaml',
  );
});

test('precedence: defaults < file < environment < flags', () => {
  const dir = project({
    'rampart.yaml': 'format: json\nexit-code: 1\nseverity: [low]\nmax-file-size: 1MB\n',
  });
  const env = { RAMPART_EXIT_CODE: '4', RAMPART_SEVERITY: 'HIGH,CRITICAL', RAMPART_FORMAT: ' ' };
  const config = load(dir, env, { severity: 'medium', 'max-file-size': undefined });
  assert.equal(config.format, 'json', 'a blank variable is unset');
  assert.equal(config.exitCode, 4, 'env over file');
  assert.deepEqual(config.severity, ['medium'], 'flag over env');
  assert.equal(config.maxFileSize, 1024 * 1024, 'an undefined flag is not given');
});

test('every option has a RAMPART_* variable, and each parses', () => {
  const env: Record<string, string> = {
    RAMPART_SCANNERS: 'secret',
    RAMPART_SEVERITY: 'HIGH,CRITICAL',
    RAMPART_FORMAT: 'JSON',
    RAMPART_OUTPUT: 'out.json',
    RAMPART_EXIT_CODE: '1',
    RAMPART_IGNOREFILE: 'ignore.txt',
    RAMPART_BASELINE: 'base.sarif',
    RAMPART_SHOW_SUPPRESSED: 'yes',
    RAMPART_MAX_FILE_SIZE: '5MB',
    RAMPART_FILE_TIMEOUT: '500ms',
    RAMPART_SKIP_PATHS: 'vendor/, dist/',
    RAMPART_RESPECT_GITIGNORE: 'false',
    RAMPART_PROGRESS: 'always',
    RAMPART_DEBUG: '1',
    RAMPART_SECRET_DISABLE_RULES: 'jwt,secret/generic-api-key',
    RAMPART_SECRET_ENABLE_RULES: 'github-pat',
    RAMPART_MISCONFIG_DISABLE_RULES: 'k8s-privileged',
    RAMPART_MISCONFIG_TRUSTED_REGISTRIES: 'myacr.azurecr.io',
    RAMPART_MISCONFIG_ALLOWED_EXTERNAL_IPS: '10.0.0.1,192.0.2.0/24',
    RAMPART_DEPS_DB_DIR: '/var/cache/rampart-db',
    RAMPART_DEPS_DB_MAX_AGE_DAYS: '14',
    RAMPART_DEPS_LICENSE_ALLOW: 'MIT,ISC',
    RAMPART_DEPS_LICENSE_DENY: 'AGPL-3.0-only',
    RAMPART_DEPS_VEX: 'a.json,b.json',
    RAMPART_DEPS_INCLUDE_DEV: 'no',
    RAMPART_POLICY_PATHS: '/etc/policies',
    RAMPART_POLICY_BUILTIN: 'baseline,best-practices',
  };
  assert.deepEqual(Object.keys(env).sort(), OPTIONS.map((o) => o.env).sort());
  assert.deepEqual(load(project(), env), {
    scanners: ['secret'],
    severity: ['high', 'critical'],
    format: 'json',
    output: 'out.json',
    exitCode: 1,
    ignorefile: 'ignore.txt',
    baseline: 'base.sarif',
    showSuppressed: true,
    maxFileSize: 5 * 1024 * 1024,
    fileTimeout: 500,
    skipPaths: ['vendor/', 'dist/'],
    respectGitignore: false,
    progress: 'always',
    debug: true,
    secret: { disableRules: ['jwt', 'generic-api-key'], enableRules: ['github-pat'] },
    misconfig: {
      disableRules: ['k8s-privileged'],
      trustedRegistries: ['myacr.azurecr.io'],
      allowedExternalIps: ['10.0.0.1', '192.0.2.0/24'],
    },
    deps: {
      dbDir: '/var/cache/rampart-db',
      dbMaxAgeDays: 14,
      licenseAllow: ['MIT', 'ISC'],
      licenseDeny: ['AGPL-3.0-only'],
      vex: ['a.json', 'b.json'],
      includeDev: false,
    },
    policy: { paths: ['/etc/policies'], builtin: ['baseline', 'best-practices'] },
  });
});

test('flags as the CLI hands them over (strings, kebab-case keys, gitignore alias)', () => {
  const config = load(
    project({ 'rampart.yaml': 'skip-paths: [a/]\n' }),
    {},
    {
      scanners: 'secret',
      severity: 'CRITICAL',
      format: 'junit',
      output: 'r.xml',
      'exit-code': '2',
      ignorefile: '.trivyignore',
      baseline: 'old.json',
      'show-suppressed': true,
      'max-file-size': '100kb',
      'file-timeout': '1m',
      'skip-paths': ['b/', 'c/'],
      gitignore: false,
      progress: 'never',
      debug: true,
    },
  );
  assert.equal(config.exitCode, 2);
  assert.equal(config.maxFileSize, 100 * 1024);
  assert.equal(config.fileTimeout, 60_000);
  assert.deepEqual(config.skipPaths, ['b/', 'c/'], 'flags replace the file list');
  assert.equal(config.respectGitignore, false);
  assert.equal(config.progress, 'never');
  assert.equal(config.output, 'r.xml', 'flag paths stay relative to the working directory');
  assert.equal(
    problem(() => load(project(), {}, { colour: true })),
    'unknown option "colour"',
  );
});

test('bad values name their source: flag, environment variable, or file and line', () => {
  const dir = project();
  assert.equal(
    problem(() => load(dir, {}, { 'max-file-size': '10 parsecs' })),
    '--max-file-size: must be a size like 10MB, 512KB or a number of bytes, got "10 parsecs"',
  );
  assert.equal(
    problem(() => load(dir, { RAMPART_EXIT_CODE: '256' })),
    'RAMPART_EXIT_CODE: must be an integer from 0 to 255, got "256"',
  );
  assert.match(
    problem(() => load(dir, { RAMPART_SEVERITY: 'HIGH,SEVERE' })),
    /^RAMPART_SEVERITY: has an unknown severity "SEVERE"/,
  );
  assert.match(
    problem(() => load(dir, {}, { format: 'xml' })),
    /^--format: must be one of table, json, sarif, junit/,
  );
  assert.match(
    problem(() => load(dir, {}, { 'file-timeout': '0s' })),
    /^--file-timeout: must be between 1ms and 24h/,
  );
  assert.match(
    problem(() => load(dir, { RAMPART_SHOW_SUPPRESSED: 'maybe' })),
    /^RAMPART_SHOW_SUPPRESSED: must be true or false/,
  );
  assert.match(
    problem(() => load(dir, { RAMPART_SCANNERS: 'secrets' })),
    /^RAMPART_SCANNERS: has an unknown scanner "secrets"/,
  );
  assert.match(
    problem(() => load(dir, {}, { severity: ',' })),
    /^--severity: must name at least one severity/,
  );
  assert.match(
    problem(() => load(dir, { RAMPART_OUTPUT: 'a\u001b[2Jb' }, { 'exit-code': 'x\u0007' })),
    /^--exit-code: .*"x\\u0007"$/,
  );
});

test('invalid rampart.yaml: file and line of the first bad key, suggestions, one line', () => {
  const cases: [string, string][] = [
    ['format: json\nexitcode: 1\n', 'rampart.yaml:2: unknown key "exitcode" (did you mean "exit-code"?)'],
    [
      'format: json\nsecret:\n  disable_rules: [jwt]\n',
      'rampart.yaml:3: unknown key "secret.disable_rules" (did you mean "disable-rules"?)',
    ],
    ['format: xml\n', 'rampart.yaml:1: "format" must be one of table, json, sarif, junit'],
    ['format: json\n\nexit-code: "1"\n', 'rampart.yaml:3: "exit-code" must be an integer from 0 to 255'],
    [
      'max-file-size: 10 parsecs\n',
      'rampart.yaml:1: "max-file-size" must be a positive size like 10MB, 512KB or a number of bytes',
    ],
    [
      'severity: [high, nope]\n',
      'rampart.yaml:1: "severity" has an unknown severity "nope" (expected one of critical, high, medium, low, info)',
    ],
    [
      'secret:\n  enable-rules:\n    - github-pat\n    - Not A Rule\n',
      'rampart.yaml:4: "secret.enable-rules[1]" must be a secret rule id such as github-pat',
    ],
    ['skip-paths: vendor/\n', 'rampart.yaml:1: "skip-paths" must be a list'],
    ['output:\n', 'rampart.yaml:1: "output" must be a string'],
    [
      'a: 1\nb: 2\nformat: [json]\n',
      'rampart.yaml:1: unknown key "a" (allowed: scanners, severity, format, output, exit-code, ignorefile, baseline, show-suppressed, max-file-size, file-timeout, skip-paths, respect-gitignore, progress, debug, secret, misconfig, deps, policy) (and 2 more problems)',
    ],
    ['format: json\nformat: sarif\n', 'rampart.yaml:2: invalid YAML: Map keys must be unique'],
    [
      'format: [json\nexit-code: 1\n',
      'rampart.yaml:2: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    ['- format: json\n', 'rampart.yaml:1: must be a mapping of options (key: value)'],
    [
      'file-timeout: 0\n',
      'rampart.yaml:1: "file-timeout" must be a positive duration like 10s, 500ms or a number of milliseconds',
    ],
  ];
  for (const [text, expected] of cases) {
    assert.equal(
      problem(() => load(project({ 'rampart.yaml': text }))),
      expected,
      JSON.stringify(text),
    );
  }
});

test('hostile configuration files are refused quickly', () => {
  // A "billion laughs" document: aliases are capped.
  const laughs = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 12; i++)
    laughs.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(',')}]`,
    );
  const started = Date.now();
  assert.match(
    problem(() => load(project({ 'rampart.yaml': `${laughs.join('\n')}\n` }))),
    /^rampart\.yaml(:\d+)?: /,
  );
  assert.match(
    problem(() => load(project({ 'rampart.yaml': `# ${'x'.repeat(1024 * 1024)}\n` }))),
    /^rampart\.yaml: larger than 1048576 bytes/,
  );
  assert.ok(Date.now() - started < 2000);
  // A directory where the file should be is not a configuration file.
  assert.equal(load(project({ 'rampart.yaml/x': '' })).format, 'table');
});

test('the example in docs/configuration.md is a valid configuration', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const m = /```yaml\n# rampart\.yaml[^\n]*\n([\s\S]*?)```/.exec(doc);
  assert.ok(m, 'docs/configuration.md has a ```yaml block starting with "# rampart.yaml"');
  const config = load(project({ 'rampart.yaml': m[1]! }));
  assert.deepEqual(config.scanners, ['secret']);
});

test('docs/configuration.md documents every option with its flag and variable', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  for (const o of OPTIONS) {
    assert.ok(doc.includes(`| \`${o.key}\` |`), o.key);
    assert.ok(doc.includes(`\`${o.env}\``), o.env);
    if (o.flag) assert.ok(doc.includes(`\`${o.flag}`), o.flag);
  }
});
