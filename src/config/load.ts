import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { RampartError } from '../core/errors.js';
import { SEVERITIES } from '../core/severity.js';
import { newAjv } from './ajv.js';
import { loadSchemaFile } from './schema-file.js';
import type { RampartConfig } from './types.js';
import {
  ValueProblem,
  parseBoolean,
  parseDuration,
  parseExitCode,
  parseFormat,
  parseList,
  parseProgress,
  parseRuleIds,
  parseScanners,
  parseSeverities,
  parseSize,
  parseString,
  parseDays,
} from './values.js';
import { YamlProblem, describeSchemaErrors, lineOf, parseYaml, type ParsedYaml } from './yaml.js';

/**
 * The resolved configuration: defaults ← rampart.yaml (validated by schema/rampart.schema.json) ←
 * RAMPART_* environment ← flags. Any problem is one line: RampartError('CONFIG_INVALID', …) naming
 * the file and line, the environment variable or the flag.
 */

export const CONFIG_FILE_NAMES = ['rampart.yaml', 'rampart.yml', '.rampart.yaml'] as const;
export const MAX_CONFIG_BYTES = 1024 * 1024;

export function defaultConfig(): RampartConfig {
  return {
    scanners: ['secret'],
    severity: [...SEVERITIES],
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
  };
}

type Setter = (config: RampartConfig, raw: unknown, source: Source) => void;
interface Source {
  kind: 'file' | 'env' | 'flag';
  /** Directory of the config file: relative paths in it are resolved against it. */
  dir?: string;
}

interface OptionSpec {
  /** rampart.yaml key (kebab-case, `secret.` prefix for the scanner section). */
  key: string;
  env: string;
  /** The CLI flag, for messages and docs; undefined when there is none. */
  flag?: string;
  set: Setter;
}

const resolveFrom = (raw: unknown, source: Source) => {
  const p = parseString(raw);
  return source.kind === 'file' && source.dir ? path.resolve(source.dir, p) : p;
};

/** Every option once: its file key, environment variable, flag and parser. docs/configuration.md mirrors this table. */
export const OPTIONS: readonly OptionSpec[] = [
  {
    key: 'scanners',
    env: 'RAMPART_SCANNERS',
    flag: '--scanners',
    set: (c, v) => (c.scanners = parseScanners(v)),
  },
  {
    key: 'severity',
    env: 'RAMPART_SEVERITY',
    flag: '--severity',
    set: (c, v) => (c.severity = parseSeverities(v)),
  },
  { key: 'format', env: 'RAMPART_FORMAT', flag: '--format', set: (c, v) => (c.format = parseFormat(v)) },
  {
    key: 'output',
    env: 'RAMPART_OUTPUT',
    flag: '--output',
    set: (c, v, s) => (c.output = resolveFrom(v, s)),
  },
  {
    key: 'exit-code',
    env: 'RAMPART_EXIT_CODE',
    flag: '--exit-code',
    set: (c, v) => (c.exitCode = parseExitCode(v)),
  },
  {
    key: 'ignorefile',
    env: 'RAMPART_IGNOREFILE',
    flag: '--ignorefile',
    set: (c, v, s) => (c.ignorefile = resolveFrom(v, s)),
  },
  {
    key: 'baseline',
    env: 'RAMPART_BASELINE',
    flag: '--baseline',
    set: (c, v, s) => (c.baseline = resolveFrom(v, s)),
  },
  {
    key: 'show-suppressed',
    env: 'RAMPART_SHOW_SUPPRESSED',
    flag: '--show-suppressed',
    set: (c, v) => (c.showSuppressed = parseBoolean(v)),
  },
  {
    key: 'max-file-size',
    env: 'RAMPART_MAX_FILE_SIZE',
    flag: '--max-file-size',
    set: (c, v) => (c.maxFileSize = parseSize(v)),
  },
  {
    key: 'file-timeout',
    env: 'RAMPART_FILE_TIMEOUT',
    flag: '--file-timeout',
    set: (c, v) => (c.fileTimeout = parseDuration(v)),
  },
  {
    key: 'skip-paths',
    env: 'RAMPART_SKIP_PATHS',
    flag: '--skip-paths',
    set: (c, v) => (c.skipPaths = parseList(v)),
  },
  {
    key: 'respect-gitignore',
    env: 'RAMPART_RESPECT_GITIGNORE',
    flag: '--no-gitignore',
    set: (c, v) => (c.respectGitignore = parseBoolean(v)),
  },
  {
    key: 'progress',
    env: 'RAMPART_PROGRESS',
    flag: '--no-progress',
    set: (c, v) => (c.progress = parseProgress(v)),
  },
  { key: 'debug', env: 'RAMPART_DEBUG', flag: '--debug', set: (c, v) => (c.debug = parseBoolean(v)) },
  {
    key: 'secret.disable-rules',
    env: 'RAMPART_SECRET_DISABLE_RULES',
    set: (c, v) => (c.secret.disableRules = parseRuleIds(v)),
  },
  {
    key: 'secret.enable-rules',
    env: 'RAMPART_SECRET_ENABLE_RULES',
    set: (c, v) => (c.secret.enableRules = parseRuleIds(v)),
  },
  {
    key: 'misconfig.disable-rules',
    env: 'RAMPART_MISCONFIG_DISABLE_RULES',
    set: (c, v) => (c.misconfig.disableRules = parseRuleIds(v)),
  },
  {
    key: 'misconfig.trusted-registries',
    env: 'RAMPART_MISCONFIG_TRUSTED_REGISTRIES',
    set: (c, v) => (c.misconfig.trustedRegistries = parseList(v)),
  },
  {
    key: 'misconfig.allowed-external-ips',
    env: 'RAMPART_MISCONFIG_ALLOWED_EXTERNAL_IPS',
    set: (c, v) => (c.misconfig.allowedExternalIps = parseList(v)),
  },
  {
    key: 'deps.db-dir',
    env: 'RAMPART_DEPS_DB_DIR',
    flag: '--db-dir',
    set: (c, v, s) => (c.deps.dbDir = resolveFrom(v, s)),
  },
  {
    key: 'deps.db-max-age-days',
    env: 'RAMPART_DEPS_DB_MAX_AGE_DAYS',
    set: (c, v) => (c.deps.dbMaxAgeDays = parseDays(v)),
  },
  {
    key: 'deps.license-allow',
    env: 'RAMPART_DEPS_LICENSE_ALLOW',
    set: (c, v) => (c.deps.licenseAllow = parseList(v)),
  },
  {
    key: 'deps.license-deny',
    env: 'RAMPART_DEPS_LICENSE_DENY',
    set: (c, v) => (c.deps.licenseDeny = parseList(v)),
  },
  {
    key: 'deps.vex',
    env: 'RAMPART_DEPS_VEX',
    flag: '--vex',
    set: (c, v, s) =>
      (c.deps.vex = parseList(v).map((f) => (s.kind === 'file' && s.dir ? path.resolve(s.dir, f) : f))),
  },
  {
    key: 'deps.include-dev',
    env: 'RAMPART_DEPS_INCLUDE_DEV',
    set: (c, v) => (c.deps.includeDev = parseBoolean(v)),
  },
  {
    key: 'policy.paths',
    env: 'RAMPART_POLICY_PATHS',
    flag: '--policy-path',
    set: (c, v, s) =>
      (c.policy.paths = parseList(v).map((f) =>
        s.kind === 'file' && s.dir ? path.resolve(s.dir, f) : path.resolve(f),
      )),
  },
  {
    key: 'policy.builtin',
    env: 'RAMPART_POLICY_BUILTIN',
    flag: '--policy-builtin',
    set: (c, v) => (c.policy.builtin = parseList(v)),
  },
];

/** Flag-object aliases: `gitignore: false` is how --no-gitignore arrives from commander. */
const FLAG_ALIASES: Record<string, string> = { gitignore: 'respect-gitignore' };

export interface LoadConfigOptions {
  cwd: string;
  /** --config; else $RAMPART_CONFIG; else the first of rampart.yaml, rampart.yml, .rampart.yaml in cwd. */
  configPath?: string;
  env: Record<string, string | undefined>;
  /** Options given on the command line, keyed like rampart.yaml (`exit-code`, `max-file-size`…); values as typed. */
  flags: Record<string, unknown>;
}

export interface LoadedConfig {
  config: RampartConfig;
  /** The configuration file that was read, if any (absolute). */
  file?: string;
}

export function loadConfig(options: LoadConfigOptions): RampartConfig {
  return loadConfigWithSource(options).config;
}

export function loadConfigWithSource(options: LoadConfigOptions): LoadedConfig {
  const config = defaultConfig();
  const file = findConfigFile(options);
  if (file) applyFile(config, file);

  for (const spec of OPTIONS) {
    const raw = options.env[spec.env];
    if (raw === undefined || raw.trim() === '') continue;
    apply(spec, config, raw, { kind: 'env' }, spec.env);
  }

  for (const [rawKey, value] of Object.entries(options.flags)) {
    if (value === undefined) continue;
    const key = FLAG_ALIASES[rawKey] ?? rawKey;
    const spec = OPTIONS.find((o) => o.key === key);
    if (!spec) throw new RampartError('CONFIG_INVALID', `unknown option "${rawKey}"`);
    apply(spec, config, value, { kind: 'flag' }, spec.flag ?? `--${key}`);
  }
  return { config, ...(file ? { file } : {}) };
}

function apply(spec: OptionSpec, config: RampartConfig, raw: unknown, source: Source, where: string): void {
  try {
    spec.set(config, raw, source);
  } catch (err) {
    if (err instanceof ValueProblem) throw new RampartError('CONFIG_INVALID', `${where}: ${err.message}`);
    throw err;
  }
}

function findConfigFile(options: LoadConfigOptions): string | undefined {
  const explicit =
    options.configPath ?? (options.env.RAMPART_CONFIG?.trim() ? options.env.RAMPART_CONFIG : undefined);
  if (explicit !== undefined) {
    const abs = path.resolve(options.cwd, explicit);
    if (!isFile(abs)) throw new RampartError('CONFIG_INVALID', `config file not found: ${explicit}`);
    return abs;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const abs = path.join(options.cwd, name);
    if (isFile(abs)) return abs;
  }
  return undefined;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

let validator: ValidateFunction | undefined;
function configValidator(): ValidateFunction {
  if (!validator) {
    const ajv = newAjv({ strict: true, verbose: true, allowUnionTypes: true });
    ajv.addVocabulary(['x-error']);
    validator = ajv.compile(loadSchemaFile('rampart.schema.json'));
  }
  return validator;
}

const FILE_KEYS: Record<string, string[]> = {
  '': [...new Set(OPTIONS.map((o) => o.key.split('.')[0]!))],
  secret: OPTIONS.filter((o) => o.key.startsWith('secret.')).map((o) => o.key.slice('secret.'.length)),
  misconfig: OPTIONS.filter((o) => o.key.startsWith('misconfig.')).map((o) =>
    o.key.slice('misconfig.'.length),
  ),
  deps: OPTIONS.filter((o) => o.key.startsWith('deps.')).map((o) => o.key.slice('deps.'.length)),
  policy: OPTIONS.filter((o) => o.key.startsWith('policy.')).map((o) => o.key.slice('policy.'.length)),
};

function applyFile(config: RampartConfig, file: string): void {
  const label = path.basename(file);
  const fail = (message: string, line?: number): never => {
    throw new RampartError('CONFIG_INVALID', `${label}${line !== undefined ? `:${line}` : ''}: ${message}`);
  };
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_CONFIG_BYTES)
      fail(`larger than ${MAX_CONFIG_BYTES} bytes; is this really the configuration?`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof RampartError) throw err;
    return fail(`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let parsed: ParsedYaml;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    if (err instanceof YamlProblem) return fail(err.message, err.line);
    throw err;
  }
  const value = parsed.value ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) fail('must be a mapping of options (key: value)', 1);

  const validate = configValidator();
  if (!validate(value)) {
    const problems = describeSchemaErrors(validate.errors ?? [], parsed, (p) => FILE_KEYS[p.join('.')] ?? []);
    const first = problems[0]!;
    const more =
      problems.length > 1
        ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})`
        : '';
    fail(`${first.message}${more}`, first.line);
  }

  const source: Source = { kind: 'file', dir: path.dirname(file) };
  const record = value as Record<string, unknown>;
  for (const spec of OPTIONS) {
    const segments = spec.key.split('.');
    let raw: unknown = record;
    for (const s of segments)
      raw = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[s] : undefined;
    if (raw === undefined || raw === null) continue;
    try {
      spec.set(config, raw, source);
    } catch (err) {
      if (err instanceof ValueProblem) fail(`"${spec.key}" ${err.message}`, lineOf(parsed, segments));
      throw err;
    }
  }
}
