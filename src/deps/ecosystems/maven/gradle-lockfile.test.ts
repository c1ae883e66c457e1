import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTestConfiguration, parseGradleLockfile } from './gradle-lockfile.js';

// Hand-written in the format Gradle writes (https://docs.gradle.org/current/userguide/dependency_locking.html).
const LOCKFILE = [
  '# This is a Gradle generated file for dependency locking.',
  '# Manual edits can break the build and are not advised.',
  '# This file is expected to be part of source control.',
  'ch.qos.logback:logback-classic:1.4.14=compileClasspath,runtimeClasspath,testCompileClasspath,testRuntimeClasspath',
  'org.junit.jupiter:junit-jupiter-api:5.10.2=testCompileClasspath,testRuntimeClasspath',
  'org.testcontainers:postgresql:1.19.7=integrationTestRuntimeClasspath',
  'com.github.spotbugs:spotbugs:4.8.3=spotbugs',
  'not a coordinate line',
  'empty=annotationProcessor,testAnnotationProcessor',
  '',
].join('\n');

describe('gradle.lockfile', () => {
  const r = parseGradleLockfile({ path: 'service/gradle.lockfile', text: LOCKFILE, file: () => undefined });

  it('reads every coordinate line with its line number, purl and scope', () => {
    assert.deepEqual(
      r.components.map((c) => [c.name, c.version, c.scope, c.location.line]),
      [
        ['ch.qos.logback:logback-classic', '1.4.14', 'prod', 4],
        ['org.junit.jupiter:junit-jupiter-api', '5.10.2', 'test', 5],
        ['org.testcontainers:postgresql', '1.19.7', 'test', 6],
        ['com.github.spotbugs:spotbugs', '4.8.3', 'prod', 7],
      ],
    );
    const logback = r.components[0];
    assert.equal(logback?.purl, 'pkg:maven/ch.qos.logback/logback-classic@1.4.14');
    assert.equal(logback?.id, logback?.purl);
    assert.equal(logback?.ecosystem, 'Maven');
    assert.equal(logback?.direct, undefined, 'the lockfile does not say which modules are declared');
    assert.equal(logback?.location.path, 'service/gradle.lockfile');
  });

  it('ignores comments and the empty= line, reports a malformed line with its number', () => {
    assert.deepEqual(
      r.errors?.map((e) => [e.path, e.line]),
      [['service/gradle.lockfile', 8]],
    );
  });

  it('classifies test configurations', () => {
    for (const c of [
      'testCompileClasspath',
      'testRuntimeClasspath',
      'integrationTestRuntimeClasspath',
      'testFixturesRuntimeClasspath',
    ])
      assert.equal(isTestConfiguration(c), true, c);
    for (const c of [
      'compileClasspath',
      'runtimeClasspath',
      'productionRuntimeClasspath',
      'latestRuntime',
      'jacocoAnt',
    ])
      assert.equal(isTestConfiguration(c), false, c);
  });

  it('reads legacy per-configuration lockfiles and build-script lockfiles', () => {
    const legacy = parseGradleLockfile({
      path: 'gradle/dependency-locks/testRuntimeClasspath.lockfile',
      text: '# comment\norg.mockito:mockito-core:5.11.0\n',
      file: () => undefined,
    });
    assert.deepEqual(
      legacy.components.map((c) => [c.name, c.version, c.scope, c.location.line]),
      [['org.mockito:mockito-core', '5.11.0', 'test', 2]],
    );
    const buildscript = parseGradleLockfile({
      path: 'buildscript-gradle.lockfile',
      text: 'com.diffplug.spotless:spotless-plugin-gradle:6.25.0=classpath\n',
      file: () => undefined,
    });
    assert.equal(buildscript.components[0]?.scope, 'build');
  });

  it('never throws on garbage', () => {
    const g = parseGradleLockfile({
      path: 'gradle.lockfile',
      text: '\u0000:::=\n==\n:a:b=c\n',
      file: () => undefined,
    });
    assert.equal(g.components.length, 0);
    assert.equal(g.errors?.length, 3);
  });
});
