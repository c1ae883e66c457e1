import { randomUUID } from 'node:crypto';
import type { DependencyScope, Ecosystem } from '../deps/model.js';
import { combinedExpression, isSpdxLicenseId, validExpressions } from './licenses.js';
import {
  isoSeconds,
  rootDependencies,
  sbomPackages,
  targetName,
  type SbomInput,
  type SbomPackage,
} from './input.js';

/**
 * CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/), validated against the official schema
 * shipped in schema/sbom/bom-1.6.schema.json. Deterministic apart from `serialNumber` and
 * `metadata.timestamp`: components and dependencies are sorted by bom-ref.
 */

export const CYCLONEDX_SPEC_VERSION = '1.6';

/**
 * Component scope, following the schema's own definitions of the enumeration: `required` "for
 * runtime"; `optional` for components that may be absent at runtime; `excluded` for "test and other
 * non-runtime purposes … not reachable within a call graph at runtime". So dev, test and build-only
 * packages are `excluded`, optional ones `optional`, and everything that runs (prod, peer, provided by
 * the runtime environment, or of unknown scope) `required`. The exact scope is kept as the
 * `rampart:scope` property.
 */
export function cycloneDxScope(scope: DependencyScope | undefined): 'required' | 'optional' | 'excluded' {
  switch (scope) {
    case 'dev':
    case 'test':
    case 'build':
      return 'excluded';
    case 'optional':
      return 'optional';
    default:
      return 'required';
  }
}

/** CycloneDX `group` + `name`: npm scope, Maven groupId and Composer vendor go to `group`. */
function groupAndName(ecosystem: Ecosystem, name: string): { group?: string; name: string } {
  let i = -1;
  if (ecosystem === 'npm' && name.startsWith('@')) i = name.indexOf('/');
  else if (ecosystem === 'Maven') i = name.indexOf(':');
  else if (ecosystem === 'Packagist') i = name.indexOf('/');
  return i > 0 ? { group: name.slice(0, i), name: name.slice(i + 1) } : { name };
}

type LicenseChoice = { license: { id: string } }[] | [{ expression: string }];

/**
 * `licenses`: a list of `{license: {id}}` when every licence is a plain SPDX id, else one
 * `{expression}` (the schema allows one form or the other, not both).
 */
function licenseChoice(licenses: readonly string[]): LicenseChoice | undefined {
  const expressions = validExpressions(licenses);
  if (expressions.length === 0) return undefined;
  if (expressions.every(isSpdxLicenseId)) return expressions.map((id) => ({ license: { id } }));
  const expression = combinedExpression(expressions);
  return expression ? [{ expression }] : undefined;
}

function component(p: SbomPackage): Record<string, unknown> {
  const c = p.component;
  const properties: { name: string; value: string }[] = p.locations.map((value) => ({
    name: 'rampart:location',
    value,
  }));
  if (p.direct !== undefined) properties.push({ name: 'rampart:direct', value: String(p.direct) });
  if (p.scope !== undefined) properties.push({ name: 'rampart:scope', value: p.scope });
  properties.push({ name: 'rampart:ecosystem', value: c.ecosystem });
  if (c.own) properties.push({ name: 'rampart:own', value: 'true' });
  const licenses = licenseChoice(p.licenses);
  return {
    type: 'library',
    'bom-ref': p.id,
    ...groupAndName(c.ecosystem, c.name),
    ...(c.version ? { version: c.version } : {}),
    scope: cycloneDxScope(p.scope),
    ...(licenses ? { licenses } : {}),
    purl: c.purl,
    properties,
  };
}

export function toCycloneDx(inventory: SbomInput): object {
  const packages = sbomPackages(inventory.components);
  const name = targetName(inventory.target);
  // Component bom-refs are purls (or purl-derived), which never start with `rampart:`.
  const rootRef = `rampart:target:${name}`;
  const dependencies = [
    { ref: rootRef, dependsOn: rootDependencies(packages) },
    ...packages
      .filter((p) => p.dependsOn !== undefined)
      .map((p) => ({ ref: p.id, dependsOn: p.dependsOn ?? [] })),
  ];
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: CYCLONEDX_SPEC_VERSION,
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: isoSeconds(inventory.timestamp ?? new Date()),
      tools: {
        components: [{ type: 'application', name: 'rampart', version: inventory.toolVersion }],
      },
      component: { type: 'application', 'bom-ref': rootRef, name },
    },
    components: packages.map(component),
    dependencies,
  };
}
