import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Component, ParseInput, ParseResult } from '../../model.js';
import { mavenParsers } from './index.js';
import { parsePom } from './pom.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

/** Parses `path` of a fixture tree, other files of the tree reachable through `file()`. */
function parseFixture(tree: string, path: string): ParseResult {
  const read = (p: string): string | undefined => {
    const full = posix.join(fixtures, tree, p);
    return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
  };
  return parsePom({ path, text: read(path) ?? '', file: read });
}

function parseText(text: string, files: Record<string, string> = {}, path = 'pom.xml'): ParseResult {
  const input: ParseInput = { path, text, file: (p) => files[p] };
  return parsePom(input);
}

function byName(result: ParseResult): Map<string, Component[]> {
  const out = new Map<string, Component[]>();
  for (const c of result.components) out.set(c.name, [...(out.get(c.name) ?? []), c]);
  return out;
}

function only(result: ParseResult, name: string): Component {
  const list = byName(result).get(name);
  assert.ok(list, `${name} not reported`);
  assert.equal(list.length, 1, `${name} reported ${list.length} times`);
  return list[0] as Component;
}

describe('pom.xml: multi-module reactor', () => {
  it('reports the root pom’s own dependencies, not plugin dependencies, plus the project artifact', () => {
    const r = parseFixture('reactor', 'pom.xml');
    assert.deepEqual(r.errors, undefined);
    assert.deepEqual(r.unresolved, undefined);
    assert.deepEqual(
      r.components.map((c) => `${c.name}@${c.version}`),
      ['com.example:shop-parent@1.4.0', 'org.apache.commons:commons-lang3@3.12.0'],
    );
    const lang = only(r, 'org.apache.commons:commons-lang3');
    assert.equal(lang.purl, 'pkg:maven/org.apache.commons/commons-lang3@3.12.0');
    assert.equal(lang.direct, true);
    assert.equal(lang.scope, 'prod');
    assert.deepEqual(lang.location, { path: 'pom.xml', line: 68 });
    const project = only(r, 'com.example:shop-parent');
    assert.equal(project.direct, undefined);
    assert.deepEqual(project.licenses, ['Apache-2.0']);
    assert.deepEqual(project.location, { path: 'pom.xml', line: 5 });
    assert.deepEqual(project.dependsOn, ['pkg:maven/org.apache.commons/commons-lang3@3.12.0']);
  });

  it('resolves a module through its local parent: properties (child override, nested), managed versions and scope, local BOM', () => {
    const r = parseFixture('reactor', 'core/pom.xml');
    assert.deepEqual(r.errors, undefined);
    const version = (name: string) => only(r, name).version;
    // The child's jackson.version (2.16.0) applies inside the parent's dependencyManagement.
    assert.equal(version('com.fasterxml.jackson.core:jackson-databind'), '2.16.0');
    // ${slf4j.version} = ${slf4j.major}.7; the parent's own management wins over the imported BOM's 1.7.36.
    assert.equal(version('org.slf4j:slf4j-api'), '2.0.7');
    // From com.example:shop-bom, imported from the same reactor (bom/pom.xml).
    assert.equal(version('com.google.guava:guava'), '32.1.2-jre');
    const junit = only(r, 'org.junit.jupiter:junit-jupiter');
    assert.equal(junit.version, '5.10.0');
    assert.equal(junit.scope, 'test', 'scope comes from dependencyManagement');
    assert.deepEqual(junit.location, { path: 'core/pom.xml', line: 29 });
    // The module's own artifact inherits group and version from the parent.
    const project = only(r, 'com.example:shop-core');
    assert.equal(project.version, '1.4.0');
    assert.deepEqual(project.licenses, ['Apache-2.0']);
    assert.equal(byName(r).has('org.projectlombok:lombok'), false);
    assert.equal(byName(r).has('org.mystery:mystery-lib'), false);
    assert.deepEqual(r.unresolved, [
      {
        path: 'core/pom.xml',
        line: 33,
        name: 'org.projectlombok:lombok',
        reason: 'property ${lombok.version} is not defined in this pom or its local parents',
      },
      {
        path: 'core/pom.xml',
        line: 39,
        name: 'org.mystery:mystery-lib',
        reason: 'version managed by imported BOM org.remote:remote-bom:1.0, not available offline',
      },
    ]);
  });

  it('resolves a sibling module, ${project.parent.version}, runtime/optional scopes, hard requirements and ranges', () => {
    const r = parseFixture('reactor', 'app/pom.xml');
    assert.deepEqual(r.errors, undefined);
    const core = byName(r).get('com.example:shop-core') ?? [];
    assert.deepEqual(
      core.map((c) => [c.version, c.scope, c.purl]),
      [
        ['1.4.0', 'prod', 'pkg:maven/com.example/shop-core@1.4.0'],
        ['1.4.0', 'test', 'pkg:maven/com.example/shop-core@1.4.0?classifier=tests'],
      ],
    );
    assert.equal(only(r, 'com.h2database:h2').scope, 'prod', 'runtime scope is prod');
    const micrometer = only(r, 'io.micrometer:micrometer-core');
    assert.equal(micrometer.version, '1.11.5', '[1.11.5] is a hard requirement on one version');
    assert.equal(micrometer.scope, 'optional');
    assert.equal(only(r, 'com.example:shop-app').version, '1.4.0');
    assert.deepEqual(r.unresolved, [
      {
        path: 'app/pom.xml',
        line: 29,
        name: 'org.yaml:snakeyaml',
        reason: 'version range "[1.33,2.0)" is resolved at build time against a repository',
      },
    ]);
    assert.ok(r.components.every((c) => c.name === 'com.example:shop-app' || c.direct === true));
  });

  it('gives every component a unique id', () => {
    for (const path of ['pom.xml', 'bom/pom.xml', 'core/pom.xml', 'app/pom.xml']) {
      const ids = parseFixture('reactor', path).components.map((c) => c.id);
      assert.equal(new Set(ids).size, ids.length, path);
    }
  });
});

describe('pom.xml: what cannot be resolved offline', () => {
  it('names the remote parent instead of guessing', () => {
    const r = parseFixture('remote-parent', 'pom.xml');
    assert.deepEqual(
      r.components.map((c) => `${c.name}@${c.version}`),
      ['org.example:petshop@2.1.0.BUILD-SNAPSHOT', 'org.webjars:jquery@2.2.4'],
    );
    assert.deepEqual(r.unresolved, [
      {
        path: 'pom.xml',
        line: 19,
        name: 'org.springframework.boot:spring-boot-starter-web',
        reason:
          'version managed by remote parent org.springframework.boot:spring-boot-starter-parent:2.1.4.RELEASE, not available offline',
      },
      {
        path: 'pom.xml',
        line: 28,
        name: 'org.webjars:bootstrap',
        reason:
          'property ${webjars-bootstrap.version} is not defined in this pom or its local parents; it may be defined by remote parent org.springframework.boot:spring-boot-starter-parent:2.1.4.RELEASE, not available offline',
      },
    ]);
  });

  it('treats a parent pom whose coordinates do not match the declaration as remote', () => {
    const child = `<project><parent><groupId>g</groupId><artifactId>p</artifactId><version>1</version></parent>
<artifactId>c</artifactId><dependencies><dependency><groupId>x</groupId><artifactId>y</artifactId></dependency></dependencies></project>`;
    const other = `<project><groupId>g</groupId><artifactId>other</artifactId><version>1</version>
<dependencyManagement><dependencies><dependency><groupId>x</groupId><artifactId>y</artifactId><version>9</version></dependency></dependencies></dependencyManagement></project>`;
    const r = parseText(child, { 'pom.xml': other }, 'c/pom.xml');
    assert.equal(
      r.components.some((c) => c.name === 'x:y'),
      false,
    );
    assert.equal(r.unresolved?.[0]?.reason, 'version managed by remote parent g:p:1, not available offline');
  });

  it('does not look for a parent when <relativePath/> is empty', () => {
    const child = `<project><parent><groupId>g</groupId><artifactId>p</artifactId><version>1</version><relativePath/></parent>
<artifactId>c</artifactId><dependencies><dependency><groupId>x</groupId><artifactId>y</artifactId></dependency></dependencies></project>`;
    const parent = `<project><groupId>g</groupId><artifactId>p</artifactId><version>1</version>
<dependencyManagement><dependencies><dependency><groupId>x</groupId><artifactId>y</artifactId><version>9</version></dependency></dependencies></dependencyManagement></project>`;
    const r = parseText(child, { 'pom.xml': parent }, 'c/pom.xml');
    assert.equal(r.unresolved?.[0]?.reason, 'version managed by remote parent g:p:1, not available offline');
  });

  it('survives a parent cycle and self-referencing properties', () => {
    const a = `<project><parent><groupId>g</groupId><artifactId>b</artifactId><version>1</version><relativePath>../b</relativePath></parent>
<artifactId>a</artifactId><properties><loop>\${loop}</loop></properties>
<dependencies><dependency><groupId>x</groupId><artifactId>y</artifactId><version>\${loop}</version></dependency></dependencies></project>`;
    const b = `<project><parent><groupId>g</groupId><artifactId>a</artifactId><version>1</version><relativePath>../a</relativePath></parent>
<artifactId>b</artifactId></project>`;
    const r = parseText(a, { 'a/pom.xml': a, 'b/pom.xml': b }, 'a/pom.xml');
    assert.equal(
      r.components.some((c) => c.name === 'x:y'),
      false,
    );
    assert.match(r.unresolved?.[0]?.reason ?? '', /property \$\{loop\} is not defined/);
  });
});

describe('pom.xml: hostile and malformed input', () => {
  it('reports malformed XML with its line and no components', () => {
    const text = [
      '<project>',
      '  <dependencies>',
      '    <dependency>',
      '  </dependencies>',
      '</project>',
    ].join('\n');
    const r = parseText(text);
    assert.deepEqual(r.components, []);
    assert.equal(r.errors?.length, 1);
    assert.equal(r.errors?.[0]?.path, 'pom.xml');
    assert.equal(r.errors?.[0]?.line, 4, 'the mismatched </dependencies> is on line 4');
    assert.match(r.errors?.[0]?.message ?? '', /dependency|dependencies/);
  });

  it('refuses a DOCTYPE with entity declarations (billion laughs)', () => {
    const text = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<project><groupId>&lol2;</groupId></project>`;
    const r = parseText(text);
    assert.deepEqual(r.components, []);
    assert.equal(r.errors?.[0]?.line, 2);
    assert.match(r.errors?.[0]?.message ?? '', /entity/i);
  });

  it('rejects a document that is not a pom, an empty file and absurd nesting without throwing', () => {
    assert.match(parseText('<settings/>').errors?.[0]?.message ?? '', /not a Maven POM/);
    assert.equal(parseText('').errors?.length, 1);
    const deep = `<project>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</project>`;
    assert.match(parseText(deep).errors?.[0]?.message ?? '', /nested deeper/);
  });
});

describe('mavenParsers', () => {
  it('matches pom.xml and Gradle lockfiles by path', () => {
    const ids = (path: string) => mavenParsers.filter((p) => p.matches(path)).map((p) => p.id);
    assert.deepEqual(ids('pom.xml'), ['maven-pom']);
    assert.deepEqual(ids('a/b/pom.xml'), ['maven-pom']);
    assert.deepEqual(ids('a/xpom.xml'), []);
    assert.deepEqual(ids('service/gradle.lockfile'), ['gradle-lockfile']);
    assert.deepEqual(ids('buildscript-gradle.lockfile'), ['gradle-lockfile']);
    assert.deepEqual(ids('gradle/dependency-locks/compileClasspath.lockfile'), ['gradle-lockfile']);
    assert.deepEqual(ids('other.lockfile'), []);
    for (const p of mavenParsers) assert.equal(p.ecosystem, 'Maven');
  });
});
