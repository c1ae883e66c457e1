import type { Finding, PackageRef } from '../../core/finding.js';
import { fingerprintOf } from '../../core/fingerprint.js';
import type { Component } from '../../deps/model.js';
import type { LicenseVerdict } from '../../deps/license-policy.js';
import { vexStatementFor, type VexStatement } from '../../deps/vex.js';
import type { VulnMatch } from '../../deps/osv/index.js';
import { LICENSE_DENIED, LICENSE_NOT_ALLOWED } from './rules.js';

function packageRef(c: Component): PackageRef {
  const ref: PackageRef = {
    ecosystem: c.ecosystem,
    name: c.name,
    version: c.version,
    purl: c.purl,
    path: c.location.path,
  };
  if (c.location.line) ref.line = c.location.line;
  return ref;
}

function location(c: Component) {
  const line = c.location.line ?? 1;
  return { path: c.location.path, startLine: line, endLine: line };
}

function advisoryUrl(id: string): string {
  return id.startsWith('GHSA-')
    ? `https://github.com/advisories/${id}`
    : `https://osv.dev/vulnerability/${id}`;
}

/** One finding per (component, vulnerability), at the lockfile line, installed → fixed version. */
export function vulnerabilityFinding(c: Component, m: VulnMatch, vex: readonly VexStatement[]): Finding {
  const ruleId = `deps/${m.id}`;
  const ids = [m.id, ...m.aliases];
  const aka = m.aliases.length ? ` (${m.aliases.join(', ')})` : '';
  const upgrade = m.fixed ? `${c.version} → ${m.fixed}` : `${c.version}, no fixed version yet`;
  const message = m.malicious
    ? `${c.name} ${c.version}: this package version is known malware (${m.id})${m.summary ? `: ${m.summary}` : ''}`
    : `${c.name} ${upgrade}: ${m.summary || 'vulnerable'} — ${m.id}${aka}`;
  const remediation = m.malicious
    ? `Remove ${c.name} ${c.version} now, reinstall from a clean state, and rotate every credential the machines that installed it could reach.`
    : m.fixed
      ? `Upgrade ${c.name} from ${c.version} to ${m.fixed} or later${c.direct === false ? ' (a transitive dependency: upgrade the package that pulls it in, or add an override/resolution)' : ''}.`
      : `No fixed version is published yet: remove or replace ${c.name}, or record a VEX statement if the vulnerable code is not reachable.`;
  const f: Finding = {
    scanner: 'deps',
    ruleId,
    title: m.malicious
      ? `Known malicious package: ${c.name}`
      : m.summary || `Vulnerable dependency ${c.name}`,
    message,
    severity: m.severity,
    confidence: 'high',
    location: location(c),
    package: packageRef(c),
    fingerprint: fingerprintOf('deps', c.location.path, c.ecosystem, c.name, c.version, m.id),
    references: [...new Set([advisoryUrl(m.id), ...m.references])],
    cwe: [],
    remediation,
    tags: m.malicious ? ['malware', 'supply-chain'] : ['vulnerability'],
    properties: {
      vulnerabilityId: m.id,
      aliases: m.aliases,
      installedVersion: c.version,
      ...(m.fixed ? { fixedVersion: m.fixed } : {}),
      ...(m.score !== undefined ? { cvssScore: m.score } : {}),
      ...(m.vector ? { cvssVector: m.vector } : {}),
      ...(c.scope ? { scope: c.scope } : {}),
      ...(c.direct !== undefined ? { direct: c.direct } : {}),
      malicious: m.malicious,
    },
  };
  const statement = vexStatementFor(vex, ids, c.purl);
  if (statement && (statement.status === 'not_affected' || statement.status === 'fixed')) {
    const why = statement.justification ?? statement.impactStatement;
    f.suppressed = {
      kind: 'vex',
      reason: why ? `${statement.status}: ${why}` : statement.status,
      source: statement.source,
    };
  }
  return f;
}

export function licenseFinding(c: Component, verdict: Exclude<LicenseVerdict, { kind: 'ok' }>): Finding {
  const denied = verdict.kind === 'denied';
  const licences = (c.licenses ?? []).join(' | ');
  return {
    scanner: 'deps',
    ruleId: denied ? LICENSE_DENIED : LICENSE_NOT_ALLOWED,
    title: denied ? 'Dependency under a denied licence' : 'Dependency under a licence outside the allow list',
    message: denied
      ? `${c.name} ${c.version} is licensed ${licences}; denied by policy: ${verdict.ids.join(', ')}`
      : `${c.name} ${c.version} is licensed ${licences}, which is not in the allow list`,
    severity: denied ? 'high' : 'medium',
    confidence: 'high',
    location: location(c),
    package: packageRef(c),
    fingerprint: fingerprintOf('deps-license', c.location.path, c.ecosystem, c.name, c.version, licences),
    references: ['https://spdx.org/licenses/'],
    cwe: [],
    remediation: denied
      ? `Replace ${c.name}, obtain it under another licence, or record a reviewed exception in .rampart-ignore.yaml.`
      : `Have ${licences} reviewed and add it to deps.license-allow, or replace ${c.name}.`,
    tags: ['license'],
    properties: { licenses: c.licenses ?? [] },
  };
}
