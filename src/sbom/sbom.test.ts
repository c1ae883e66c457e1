import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Component } from '../deps/model.js';
import { toCycloneDx } from './cyclonedx.js';
import type { SbomInput } from './input.js';
import { toSpdx } from './spdx.js';
import { validateSbom } from './validate.js';

// Hand-written inventory; purls written out as the purl spec spells them (`@` of an npm scope is %40).
const BABEL_CORE = 'pkg:npm/%40babel/core@7.24.0';
const BABEL_TYPES = 'pkg:npm/%40babel/types@7.24.0';
const DUAL = 'pkg:npm/dual-lib@1.0.0';
const FSEVENTS = 'pkg:npm/fsevents@2.3.3';
const LOG4J_CORE = 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1';
const LOG4J_API = 'pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1';
const REQUESTS = 'pkg:pypi/requests@2.25.0';

const COMPONENTS: Component[] = [
  {
    ecosystem: 'npm',
    name: '@babel/core',
    version: '7.24.0',
    purl: BABEL_CORE,
    id: BABEL_CORE,
    direct: true,
    scope: 'dev',
    licenses: ['MIT'],
    location: { path: 'web/package-lock.json', line: 12 },
    dependsOn: [BABEL_TYPES, 'pkg:npm/not-in-inventory@1.0.0'],
  },
  {
    ecosystem: 'npm',
    name: '@babel/types',
    version: '7.24.0',
    purl: BABEL_TYPES,
    id: BABEL_TYPES,
    direct: false,
    scope: 'dev',
    licenses: ['MIT'],
    location: { path: 'web/package-lock.json', line: 40 },
    dependsOn: [],
  },
  {
    ecosystem: 'npm',
    name: 'dual-lib',
    version: '1.0.0',
    purl: DUAL,
    id: DUAL,
    direct: true,
    scope: 'prod',
    licenses: ['MIT OR Apache-2.0'],
    location: { path: 'web/package-lock.json', line: 60 },
  },
  {
    ecosystem: 'npm',
    name: 'fsevents',
    version: '2.3.3',
    purl: FSEVENTS,
    id: FSEVENTS,
    direct: false,
    scope: 'optional',
    location: { path: 'web/package-lock.json', line: 80 },
  },
  {
    ecosystem: 'Maven',
    name: 'org.apache.logging.log4j:log4j-core',
    version: '2.14.1',
    purl: LOG4J_CORE,
    id: LOG4J_CORE,
    direct: true,
    scope: 'prod',
    licenses: ['Apache-2.0'],
    location: { path: 'api/pom.xml', line: 30 },
    dependsOn: [LOG4J_API],
  },
  {
    ecosystem: 'Maven',
    name: 'org.apache.logging.log4j:log4j-api',
    version: '2.14.1',
    purl: LOG4J_API,
    id: LOG4J_API,
    direct: false,
    scope: 'prod',
    licenses: ['Apache-2.0'],
    location: { path: 'api/pom.xml' },
  },
  {
    ecosystem: 'PyPI',
    name: 'requests',
    version: '2.25.0',
    purl: REQUESTS,
    id: REQUESTS,
    licenses: ['Apache-2.0', 'LicenseRef-Vendor-Terms'],
    location: { path: 'tools/requirements.txt', line: 3 },
  },
  // The same package found in a second lockfile: one SBOM entry with both locations.
  {
    ecosystem: 'npm',
    name: 'dual-lib',
    version: '1.0.0',
    purl: DUAL,
    id: DUAL,
    direct: false,
    scope: 'dev',
    licenses: ['MIT OR Apache-2.0'],
    location: { path: 'admin/package-lock.json', line: 7 },
  },
];

const INPUT: SbomInput = {
  target: '/home/dev/my-app/',
  toolVersion: '1.2.3',
  components: COMPONENTS,
  timestamp: new Date('2024-05-01T12:00:00.123Z'),
};

type Json = Record<string, unknown>;
const asJson = (x: object) => JSON.parse(JSON.stringify(x)) as Json;
const list = (x: unknown) => x as Json[];

describe('CycloneDX 1.6 writer', () => {
  const bom = asJson(toCycloneDx(INPUT));
  const components = list(bom.components);
  const byRef = new Map(components.map((c) => [c['bom-ref'], c]));

  it('validates against the official schema', () => {
    assert.deepEqual(validateSbom('cyclonedx', bom), []);
  });

  it('writes the document header and metadata', () => {
    assert.equal(bom.bomFormat, 'CycloneDX');
    assert.equal(bom.specVersion, '1.6');
    assert.equal(bom.version, 1);
    assert.match(
      String(bom.serialNumber),
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    const metadata = bom.metadata as Json;
    assert.equal(metadata.timestamp, '2024-05-01T12:00:00Z');
    assert.deepEqual(metadata.tools, {
      components: [{ type: 'application', name: 'rampart', version: '1.2.3' }],
    });
    assert.deepEqual(metadata.component, {
      type: 'application',
      'bom-ref': 'rampart:target:my-app',
      name: 'my-app',
    });
  });

  it('lists each package once, sorted by bom-ref, with group/name split per ecosystem', () => {
    assert.deepEqual(
      components.map((c) => c['bom-ref']),
      [LOG4J_API, LOG4J_CORE, BABEL_CORE, BABEL_TYPES, DUAL, FSEVENTS, REQUESTS],
    );
    const babel = byRef.get(BABEL_CORE) as Json;
    assert.equal(babel.type, 'library');
    assert.equal(babel.group, '@babel');
    assert.equal(babel.name, 'core');
    assert.equal(babel.version, '7.24.0');
    assert.equal(babel.purl, BABEL_CORE);
    const log4j = byRef.get(LOG4J_CORE) as Json;
    assert.equal(log4j.group, 'org.apache.logging.log4j');
    assert.equal(log4j.name, 'log4j-core');
    const requests = byRef.get(REQUESTS) as Json;
    assert.equal(requests.group, undefined);
    assert.equal(requests.name, 'requests');
  });

  it('maps scopes: dev/test/build excluded, optional optional, the rest required', () => {
    assert.equal((byRef.get(BABEL_CORE) as Json).scope, 'excluded');
    assert.equal((byRef.get(FSEVENTS) as Json).scope, 'optional');
    assert.equal((byRef.get(LOG4J_CORE) as Json).scope, 'required');
    assert.equal((byRef.get(REQUESTS) as Json).scope, 'required', 'unknown scope is required');
    // dual-lib is prod in one lockfile and dev in another: it is required.
    assert.equal((byRef.get(DUAL) as Json).scope, 'required');
  });

  it('writes licences as ids, or as one expression when an expression or a LicenseRef is involved', () => {
    assert.deepEqual((byRef.get(BABEL_CORE) as Json).licenses, [{ license: { id: 'MIT' } }]);
    assert.deepEqual((byRef.get(DUAL) as Json).licenses, [{ expression: 'MIT OR Apache-2.0' }]);
    assert.deepEqual((byRef.get(REQUESTS) as Json).licenses, [
      { expression: 'Apache-2.0 AND LicenseRef-Vendor-Terms' },
    ]);
    assert.equal((byRef.get(FSEVENTS) as Json).licenses, undefined);
  });

  it('keeps locations, directness and scope as properties', () => {
    assert.deepEqual((byRef.get(DUAL) as Json).properties, [
      { name: 'rampart:location', value: 'admin/package-lock.json:7' },
      { name: 'rampart:location', value: 'web/package-lock.json:60' },
      { name: 'rampart:direct', value: 'true' },
      { name: 'rampart:scope', value: 'prod' },
      { name: 'rampart:ecosystem', value: 'npm' },
    ]);
    assert.deepEqual((byRef.get(LOG4J_API) as Json).properties, [
      { name: 'rampart:location', value: 'api/pom.xml' },
      { name: 'rampart:direct', value: 'false' },
      { name: 'rampart:scope', value: 'prod' },
      { name: 'rampart:ecosystem', value: 'Maven' },
    ]);
  });

  it('writes the graph: root → direct (and unattached) packages, then the recorded edges', () => {
    assert.deepEqual(bom.dependencies, [
      { ref: 'rampart:target:my-app', dependsOn: [LOG4J_CORE, BABEL_CORE, DUAL, REQUESTS] },
      { ref: LOG4J_CORE, dependsOn: [LOG4J_API] },
      { ref: BABEL_CORE, dependsOn: [BABEL_TYPES] },
      { ref: BABEL_TYPES, dependsOn: [] },
    ]);
  });

  it('is deterministic apart from serialNumber and timestamp, whatever the input order', () => {
    const strip = (x: object) => {
      const j = asJson(x);
      delete j.serialNumber;
      delete (j.metadata as Json).timestamp;
      return j;
    };
    const again = toCycloneDx({ ...INPUT, components: [...COMPONENTS].reverse(), timestamp: undefined });
    assert.deepEqual(strip(again), strip(bom));
    assert.notEqual(asJson(again).serialNumber, bom.serialNumber);
  });
});

describe('SPDX 2.3 writer', () => {
  const doc = asJson(toSpdx(INPUT));
  const packages = list(doc.packages);
  const byPurl = new Map(
    packages.map((p) => [list(p.externalRefs ?? [])[0]?.referenceLocator as string | undefined, p] as const),
  );
  const idOf = (purl: string) => (byPurl.get(purl) as Json).SPDXID as string;

  it('validates against the official schema', () => {
    assert.deepEqual(validateSbom('spdx', doc), []);
  });

  it('writes the document header', () => {
    assert.equal(doc.spdxVersion, 'SPDX-2.3');
    assert.equal(doc.dataLicense, 'CC0-1.0');
    assert.equal(doc.SPDXID, 'SPDXRef-DOCUMENT');
    assert.equal(doc.name, 'my-app');
    assert.match(String(doc.documentNamespace), /^https:\/\/spdx\.org\/spdxdocs\/my-app-[0-9a-f-]{36}$/);
    assert.notEqual(
      asJson(toSpdx(INPUT)).documentNamespace,
      doc.documentNamespace,
      'namespace is unique per document',
    );
    assert.deepEqual(doc.creationInfo, {
      created: '2024-05-01T12:00:00Z',
      creators: ['Tool: rampart-1.2.3'],
    });
  });

  it('writes one package per component plus the root, with sanitised SPDXIDs', () => {
    assert.equal(packages.length, 8);
    for (const p of packages) assert.match(String(p.SPDXID), /^SPDXRef-[A-Za-z0-9.-]+$/);
    assert.equal(new Set(packages.map((p) => p.SPDXID)).size, 8);
    const babel = byPurl.get(BABEL_CORE) as Json;
    assert.equal(babel.name, '@babel/core');
    assert.equal(babel.versionInfo, '7.24.0');
    assert.equal(babel.downloadLocation, 'NOASSERTION');
    assert.equal(babel.filesAnalyzed, false);
    assert.equal(babel.licenseConcluded, 'NOASSERTION');
    assert.equal(babel.licenseDeclared, 'MIT');
    assert.deepEqual(babel.externalRefs, [
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: BABEL_CORE },
    ]);
    assert.equal((byPurl.get(LOG4J_CORE) as Json).name, 'org.apache.logging.log4j:log4j-core');
    assert.equal((byPurl.get(DUAL) as Json).licenseDeclared, 'MIT OR Apache-2.0');
    assert.equal((byPurl.get(FSEVENTS) as Json).licenseDeclared, 'NOASSERTION');
    assert.equal(
      (byPurl.get(DUAL) as Json).sourceInfo,
      'declared in admin/package-lock.json:7, web/package-lock.json:60',
    );
  });

  it('defines every LicenseRef it uses', () => {
    assert.equal((byPurl.get(REQUESTS) as Json).licenseDeclared, 'Apache-2.0 AND LicenseRef-Vendor-Terms');
    const extracted = list(doc.hasExtractedLicensingInfos);
    assert.deepEqual(
      extracted.map((e) => e.licenseId),
      ['LicenseRef-Vendor-Terms'],
    );
    assert.ok(String(extracted[0]?.extractedText).length > 0);
  });

  it('writes DESCRIBES and DEPENDS_ON relationships', () => {
    const rels = list(doc.relationships).map(
      (r) => `${r.spdxElementId} ${r.relationshipType} ${r.relatedSpdxElement}`,
    );
    const root = 'SPDXRef-RootPackage';
    assert.deepEqual(rels, [
      `SPDXRef-DOCUMENT DESCRIBES ${root}`,
      `${root} DEPENDS_ON ${idOf(LOG4J_CORE)}`,
      `${root} DEPENDS_ON ${idOf(BABEL_CORE)}`,
      `${root} DEPENDS_ON ${idOf(DUAL)}`,
      `${root} DEPENDS_ON ${idOf(REQUESTS)}`,
      `${idOf(LOG4J_CORE)} DEPENDS_ON ${idOf(LOG4J_API)}`,
      `${idOf(BABEL_CORE)} DEPENDS_ON ${idOf(BABEL_TYPES)}`,
    ]);
  });

  it('keeps SPDXIDs unique when two ids sanitise to the same string', () => {
    const twins: Component[] = ['pkg:generic/a@1', 'pkg:generic/a-1'].map((id) => ({
      ecosystem: 'GHC',
      name: 'a',
      version: '1',
      purl: id,
      id,
      location: { path: 'x' },
    }));
    const out = asJson(toSpdx({ target: 'x', toolVersion: '0', components: twins }));
    assert.deepEqual(
      list(out.packages).map((p) => p.SPDXID),
      ['SPDXRef-RootPackage', 'SPDXRef-Package-pkg-generic-a-1', 'SPDXRef-Package-pkg-generic-a-1-2'],
    );
    assert.deepEqual(validateSbom('spdx', out), []);
  });
});

describe('validateSbom', () => {
  it('reports schema violations in a broken CycloneDX document', () => {
    const bom = asJson(toCycloneDx(INPUT));
    bom.specVersion = 1.6;
    (list(bom.components)[0] as Json).scope = 'sometimes';
    delete (list(bom.components)[1] as Json).name;
    list(bom.dependencies).push({ ref: 'pkg:npm/ghost@1.0.0' });
    const errors = validateSbom('cyclonedx', bom);
    assert.ok(
      errors.some((e) => e.startsWith('/specVersion:')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.startsWith('/components/0/scope:')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.includes("must have required property 'name'")),
      errors.join('\n'),
    );
    assert.ok(
      errors.includes('dependency refers to unknown bom-ref "pkg:npm/ghost@1.0.0"'),
      errors.join('\n'),
    );
  });

  it('reports schema violations in a broken SPDX document', () => {
    const doc = asJson(toSpdx(INPUT));
    delete doc.creationInfo;
    (list(doc.relationships)[0] as Json).relationshipType = 'LIKES';
    (list(doc.packages)[1] as Json).SPDXID = 'SPDXRef-has spaces';
    const errors = validateSbom('spdx', doc);
    assert.ok(errors.includes("/: must have required property 'creationInfo'"), errors.join('\n'));
    assert.ok(
      errors.some((e) => e.startsWith('/relationships/0/relationshipType:')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.includes('SPDXRef-has spaces')),
      errors.join('\n'),
    );
  });
});
