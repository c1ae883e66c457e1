import { randomUUID } from 'node:crypto';
import { combinedExpression, licenseRefsIn, validExpressions } from './licenses.js';
import {
  isoSeconds,
  rootDependencies,
  sbomPackages,
  targetName,
  type SbomInput,
  type SbomPackage,
} from './input.js';

/**
 * SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/), validated against the official schema shipped
 * in schema/sbom/spdx-schema.json. The document DESCRIBES one package standing for the scanned
 * target, which DEPENDS_ON the direct dependencies; each package DEPENDS_ON what the lockfile says it
 * depends on. Deterministic apart from `documentNamespace` and `creationInfo.created`.
 */

export const SPDX_VERSION = 'SPDX-2.3';
const ROOT_ID = 'SPDXRef-RootPackage';
const NOASSERTION = 'NOASSERTION';

/** `SPDXRef-` + idstring: letters, digits, `.` and `-` only (SPDX 2.3 §3.2). */
export function spdxIdFor(text: string): string {
  const idstring = text.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'package';
  return `SPDXRef-Package-${idstring}`;
}

/** A unique SPDXID per package id (sanitising can map two ids to one string: suffix `-2`, `-3`…). */
function assignIds(packages: readonly SbomPackage[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>([ROOT_ID]);
  for (const p of packages) {
    const base = spdxIdFor(p.id);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    out.set(p.id, id);
  }
  return out;
}

function comment(p: SbomPackage): string | undefined {
  const parts: string[] = [];
  if (p.scope !== undefined) parts.push(`scope: ${p.scope}`);
  if (p.direct !== undefined) parts.push(p.direct ? 'direct dependency' : 'transitive dependency');
  return parts.length > 0 ? parts.join('; ') : undefined;
}

export function toSpdx(inventory: SbomInput): object {
  const packages = sbomPackages(inventory.components);
  const ids = assignIds(packages);
  const name = targetName(inventory.target);
  const licenseRefs = new Set<string>();

  const spdxPackages: Record<string, unknown>[] = [
    {
      SPDXID: ROOT_ID,
      name,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: NOASSERTION,
      copyrightText: NOASSERTION,
      primaryPackagePurpose: 'APPLICATION',
    },
  ];
  for (const p of packages) {
    const declared = combinedExpression(validExpressions(p.licenses));
    for (const ref of declared ? licenseRefsIn(declared) : []) licenseRefs.add(ref);
    const note = comment(p);
    spdxPackages.push({
      SPDXID: ids.get(p.id),
      name: p.component.name,
      ...(p.component.version ? { versionInfo: p.component.version } : {}),
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: declared ?? NOASSERTION,
      copyrightText: NOASSERTION,
      externalRefs: [
        { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.component.purl },
      ],
      primaryPackagePurpose: 'LIBRARY',
      sourceInfo: `declared in ${p.locations.join(', ')}`,
      ...(note ? { comment: note } : {}),
    });
  }

  const relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[] = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: ROOT_ID },
  ];
  const dependsOn = (from: string, to: string) =>
    relationships.push({ spdxElementId: from, relationshipType: 'DEPENDS_ON', relatedSpdxElement: to });
  for (const id of rootDependencies(packages)) dependsOn(ROOT_ID, ids.get(id) as string);
  for (const p of packages)
    for (const d of p.dependsOn ?? []) dependsOn(ids.get(p.id) as string, ids.get(d) as string);

  const doc: Record<string, unknown> = {
    spdxVersion: SPDX_VERSION,
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `https://spdx.org/spdxdocs/${encodeURIComponent(name)}-${randomUUID()}`,
    creationInfo: {
      created: isoSeconds(inventory.timestamp ?? new Date()),
      creators: [`Tool: rampart-${inventory.toolVersion}`],
    },
    packages: spdxPackages,
    relationships,
  };
  if (licenseRefs.size > 0) {
    // SPDX 2.3 §10: every LicenseRef used must be defined in the document.
    doc.hasExtractedLicensingInfos = [...licenseRefs].sort().map((licenseId) => ({
      licenseId,
      name: licenseId.slice('LicenseRef-'.length),
      extractedText: `The licence text is not available: ${licenseId} stands for a licence named in the package metadata that is not on the SPDX License List.`,
    }));
  }
  return doc;
}
