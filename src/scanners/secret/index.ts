import { createHash } from 'node:crypto';
import type { Finding, RuleDescriptor } from '../../core/finding.js';
import { fingerprintOf } from '../../core/fingerprint.js';
import { maskSecret } from '../../core/mask.js';
import type { Scanner, ScannerFactoryOptions, ScanTarget, ScanContext } from '../../core/scanner.js';
import { compileRules, detectSecrets, type CompiledRuleSet } from './engine.js';
import type { SecretRule } from './rule.js';
import { providerRules } from './rules/index.js';
import { genericRules } from './rules/generic.js';

export const SECRET_SCANNER_VERSION = '1';
export const SECRET_CWE = 'CWE-798';

const REMEDIATION =
  'Revoke or rotate the credential at its provider now (assume it is compromised), remove it from the code ' +
  'and from the git history, and load it at run time from a secret store (Azure Key Vault with the Secrets ' +
  'Store CSI driver, HashiCorp Vault, external-secrets) or the CI platform’s secret variables.';

/** All built-in secret rules: provider-specific first, generic last (they lose on overlap). */
export function builtinSecretRules(): SecretRule[] {
  return [...providerRules, ...genericRules];
}

export interface SecretScannerConfig {
  disableRules?: string[];
  enableRules?: string[];
}

export function selectRules(rules: readonly SecretRule[], cfg: SecretScannerConfig): SecretRule[] {
  const strip = (id: string) => id.replace(/^secret\//, '');
  const disabled = new Set((cfg.disableRules ?? []).map(strip));
  const enabled = new Set((cfg.enableRules ?? []).map(strip));
  return rules.filter((r) => !disabled.has(r.id) && (enabled.size === 0 || enabled.has(r.id)));
}

let builtinCache: CompiledRuleSet | undefined;

export async function createSecretScanner(options: ScannerFactoryOptions = { config: {} }): Promise<Scanner> {
  const cfg = options.config as SecretScannerConfig;
  const all = builtinSecretRules();
  const selected = selectRules(all, cfg);
  const set = selected.length === all.length ? (builtinCache ??= compileRules(all)) : compileRules(selected);
  return new SecretScanner(set);
}

class SecretScanner implements Scanner {
  readonly kind = 'secret' as const;
  readonly version = SECRET_SCANNER_VERSION;
  private readonly byId: Map<string, SecretRule>;

  constructor(private readonly set: CompiledRuleSet) {
    this.byId = new Map(set.rules.map((r) => [r.id, r]));
  }

  required(_path: string): boolean {
    // Secrets can be in any text file; binaries and oversized files are filtered by the walker.
    return true;
  }

  scan(target: ScanTarget, ctx: ScanContext): Finding[] {
    const { matches, timedOut } = detectSecrets(target.content, target.path, this.set, {
      deadline: ctx.deadline,
    });
    if (timedOut)
      ctx.warn(`${target.path}: secret scan stopped at the per-file time budget; results may be partial`);
    const occurrences = new Map<string, number>();
    return matches.map((m) => {
      const rule = this.byId.get(m.ruleId)!;
      const secretHash = createHash('sha256').update(m.secret).digest('hex');
      const key = `${m.ruleId}\0${secretHash}`;
      const occurrence = occurrences.get(key) ?? 0;
      occurrences.set(key, occurrence + 1);
      const mapLine = (l: number) => (target.lineMap ? (target.lineMap[l - 1] ?? l) : l);
      const evidence = maskSecret(m.secret);
      const finding: Finding = {
        scanner: 'secret',
        ruleId: `secret/${rule.id}`,
        title: rule.title,
        message: `${rule.title}: ${evidence}`,
        severity: rule.severity,
        confidence: rule.confidence ?? (rule.id.startsWith('generic-') ? 'medium' : 'high'),
        location: {
          path: target.path,
          startLine: mapLine(m.startLine),
          startColumn: m.startColumn,
          endLine: mapLine(m.endLine),
          endColumn: m.endColumn,
          ...(target.commit ? { commit: target.commit } : {}),
          ...(target.layer ? { layer: target.layer } : {}),
        },
        // No line number: the fingerprint survives unrelated line shifts and is the same for the
        // same secret in the same file across commits (history de-duplication relies on it).
        fingerprint: fingerprintOf('secret', rule.id, target.path, secretHash, occurrence),
        evidence,
        remediation: REMEDIATION,
        references: rule.references ?? [],
        cwe: [SECRET_CWE],
        ...(rule.equivalents ? { equivalents: { ...rule.equivalents } } : {}),
        tags: ['secret'],
        properties: { entropy: Number(m.entropy.toFixed(2)) },
      };
      return finding;
    });
  }

  rules(): RuleDescriptor[] {
    return this.set.rules.map(secretRuleDescriptor);
  }
}

export function secretRuleDescriptor(rule: SecretRule): RuleDescriptor {
  const generic = rule.id.startsWith('generic-');
  const refs = rule.references ?? [];
  return {
    id: `secret/${rule.id}`,
    scanner: 'secret',
    title: rule.title,
    description: rule.description,
    helpMarkdown: [
      `**${rule.title}**`,
      '',
      rule.description,
      '',
      `**Fix:** ${REMEDIATION}`,
      '',
      'To accept a false positive, add `rampart:ignore ' +
        `secret/${rule.id}` +
        '` in a comment on that line, or an entry in `.rampart-ignore.yaml`.',
      ...(refs.length ? ['', '**References**', ...refs.map((r) => `- ${r}`)] : []),
    ].join('\n'),
    severity: rule.severity,
    precision: generic ? 'medium' : rule.confidence === 'low' ? 'medium' : 'high',
    tags: ['security', 'secret', 'external/cwe/cwe-798'],
    cwe: [SECRET_CWE],
    references: refs,
    ...(rule.equivalents ? { equivalents: { ...rule.equivalents } } : {}),
  };
}
