import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schemeFor, supportedVersionEcosystems } from './index.js';
import type { VersionScheme } from './scheme.js';
import { expectedSign, parseVectors, type Vector } from './vectors.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url)), 'utf8');

function scheme(ecosystem: string): VersionScheme {
  const s = schemeFor(ecosystem);
  assert.ok(s, `no version scheme registered for ${ecosystem}`);
  return s;
}

/**
 * Vectors we deliberately do not follow. Alpine: osv-scalibr's `alpine-versions.txt` opens with
 * its own ordering for strings that apk-tools rejects (`apk_version_validate` fails on at least one
 * side of every line below). We implement apk-tools 3's `apk_version_compare` exactly, which treats
 * such strings differently (e.g. it stops at the first malformed token), so these lines are
 * excluded; each must stay malformed (checked below) so that no valid version is ever exempted.
 */
const ALPINE_MALFORMED_EXCEPTIONS = new Set([
  '1 < 1.',
  '1.. > 1.0',
  '1-r = 1-r0',
  '1-r-0 > 1-r0',
  '1-r-1 > 1-r0',
  '0.r1 > 0r2',
  '0..1..0 < 0..1..1',
  '0...1...0 < 0...1...1',
  '0...1...0.r1 < 0...1...0.r2',
  '0...1...0r1 < 0...1...0r2',
  '0..8 > 0...8',
  '0.8.21.r2 > 0.8.21.r1',
  '0.8.21.r2 > 0.8.21r2',
  '1.2.0A > 1.2.0d',
  '1.2.0D > 1.2.0d',
  '6.6.2p1 < 6.6.2p2',
  '1 < 1-ruff',
  '1-r0-1 = 1-r-2',
  '1.2 < 1.2_',
  '1.0p1p2 > 1.0p1',
  '1.0p1p2 < 1.0p1p3',
  '1.0p1p2 < 1.0p1z',
  '1-ruff2 < 1--ruff1',
  '.2 > .1',
  'a < b',
  'c > b',
]);

interface Suite {
  ecosystem: string;
  file: string;
  exceptions?: Set<string>;
}

const SUITES: Suite[] = [
  { ecosystem: 'npm', file: 'semver-versions.txt' },
  { ecosystem: 'crates.io', file: 'semver-versions.txt' },
  { ecosystem: 'Bitnami', file: 'semver-versions.txt' },
  { ecosystem: 'Go', file: 'semver-versions.txt' },
  { ecosystem: 'Go', file: 'go-semver.txt' },
  { ecosystem: 'Go', file: 'go-pseudo-versions.txt' },
  { ecosystem: 'PyPI', file: 'pypi-versions.txt' },
  { ecosystem: 'Maven', file: 'maven-versions.txt' },
  { ecosystem: 'Maven', file: 'maven-comparable-version-test.txt' },
  { ecosystem: 'NuGet', file: 'nuget-versions.txt' },
  { ecosystem: 'RubyGems', file: 'rubygems-gem-version.txt' },
  { ecosystem: 'RubyGems', file: 'rubygems-versions-generated.txt' },
  { ecosystem: 'Packagist', file: 'packagist-versions-generated.txt' },
  { ecosystem: 'Debian', file: 'debian-dpkg-generated.txt' },
  { ecosystem: 'Debian', file: 'debian-go-deb-version.txt' },
  { ecosystem: 'Ubuntu', file: 'debian-go-deb-version.txt' },
  { ecosystem: 'Alpine', file: 'alpine-versions.txt', exceptions: ALPINE_MALFORMED_EXCEPTIONS },
  { ecosystem: 'AlmaLinux', file: 'redhat-versions.txt' },
  { ecosystem: 'Rocky Linux', file: 'redhat-versions.txt' },
  { ecosystem: 'Red Hat', file: 'redhat-versions.txt' },
  { ecosystem: 'Hackage', file: 'hackage-versions.txt' },
  { ecosystem: 'GHC', file: 'hackage-versions.txt' },
];

const describe = (v: Vector): string => `${v.a} ${v.op} ${v.b}`;
const word = (n: number): string => (n < 0 ? '<' : n > 0 ? '>' : '=');

for (const suite of SUITES) {
  test(`${suite.ecosystem}: published vectors in ${suite.file}`, () => {
    const s = scheme(suite.ecosystem);
    const vectors = parseVectors(fixture(suite.file));
    assert.ok(vectors.length > 0);
    const failures: string[] = [];
    const seenExceptions = new Set<string>();
    for (const v of vectors) {
      if (suite.exceptions?.has(describe(v))) {
        seenExceptions.add(describe(v));
        continue;
      }
      const want = expectedSign(v.op);
      const ab = s.compare(v.a, v.b);
      const ba = s.compare(v.b, v.a);
      if (ab !== want || ba !== -want) {
        failures.push(
          `line ${v.line}: ${describe(v)} but got ${v.a} ${word(ab)} ${v.b} / ${v.b} ${word(ba)} ${v.a}`,
        );
      }
    }
    assert.deepEqual(failures, [], `${failures.length} of ${vectors.length} vectors failed`);
    // Exceptions must be real lines of the file, so the list cannot silently go stale.
    assert.deepEqual(
      [...(suite.exceptions ?? [])].filter((e) => !seenExceptions.has(e)),
      [],
    );
  });
}

test('Alpine: every exempted vector involves a string apk-tools rejects', () => {
  const apk = scheme('Alpine');
  for (const line of ALPINE_MALFORMED_EXCEPTIONS) {
    const [a = '', , b = ''] = line.split(' ');
    assert.ok(!apk.isValid(a) || !apk.isValid(b), `${line} has two valid versions`);
  }
});

test('every ecosystem of the model has a scheme, and qualified names resolve', () => {
  for (const e of [
    'npm',
    'PyPI',
    'Go',
    'crates.io',
    'RubyGems',
    'Packagist',
    'NuGet',
    'Maven',
    'Debian',
    'Ubuntu',
  ]) {
    assert.ok(schemeFor(e), e);
  }
  for (const e of ['Alpine', 'AlmaLinux', 'Rocky Linux', 'Red Hat', 'Bitnami', 'Hackage', 'GHC'])
    assert.ok(schemeFor(e), e);
  assert.equal(schemeFor('Debian:12')?.id, 'dpkg');
  assert.equal(schemeFor('Ubuntu:22.04:LTS')?.id, 'dpkg');
  assert.equal(schemeFor('Alpine:v3.20')?.id, 'apk');
  assert.equal(schemeFor('AlmaLinux:9')?.id, 'rpm');
  assert.equal(schemeFor('Red Hat:enterprise_linux:9::appstream')?.id, 'rpm');
  assert.equal(schemeFor('NoSuchEcosystem'), undefined);
  assert.equal(new Set(supportedVersionEcosystems()).size, supportedVersionEcosystems().length);
});

const GARBAGE = [
  '',
  ' ',
  '🙂',
  'a.b.c',
  '...',
  '---',
  '~',
  '^',
  ':',
  '1:',
  ':1',
  '-1',
  '+',
  'v',
  'V1',
  '1..2',
  '1.2.3.4.5.6.7.8.9.10',
  'dev-master',
  '1.0.0-',
  '1.0.0+',
  '!1',
  '1!',
  '9'.repeat(400),
  '1.' + '0.'.repeat(5000) + '1',
  'a'.repeat(100_000),
  '1-'.repeat(20_000),
  '_'.repeat(10_000) + '1',
  '\u0000\u0001',
  '１.２.３',
  '1.0\n2.0',
];

test('compare never throws on garbage and stays antisymmetric', () => {
  for (const ecosystem of supportedVersionEcosystems()) {
    const s = scheme(ecosystem);
    for (const a of GARBAGE) {
      assert.equal(s.compare(a, a), 0, `${ecosystem}: ${JSON.stringify(a.slice(0, 20))} vs itself`);
      assert.doesNotThrow(() => s.isValid(a));
      for (const b of [...GARBAGE, '1.0.0', '0', '2.0']) {
        const ab = s.compare(a, b);
        const ba = s.compare(b, a);
        assert.ok(ab === -1 || ab === 0 || ab === 1, `${ecosystem}: result ${ab}`);
        assert.equal(
          ab,
          ba === 0 ? 0 : -ba,
          `${ecosystem}: ${JSON.stringify(a.slice(0, 20))} vs ${JSON.stringify(b.slice(0, 20))}`,
        );
      }
    }
  }
});

test('compare is fast on long hostile strings', () => {
  const long = [
    '1' + '.1'.repeat(50_000),
    'a1'.repeat(50_000),
    '0'.repeat(100_000),
    '1-' + 'x.'.repeat(50_000),
  ];
  for (const ecosystem of supportedVersionEcosystems()) {
    const s = scheme(ecosystem);
    const start = process.hrtime.bigint();
    for (const a of long) for (const b of long) s.compare(a, b);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    assert.ok(ms < 2000, `${ecosystem} took ${ms} ms`);
  }
});

/** Deterministic Fisher-Yates shuffle (mulberry32), so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let t = seed;
  const rand = (): number => {
    t = (t + 0x6d2b79f5) | 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Strictly increasing lists, each taken from the published vectors of its ecosystem. */
const ORDERED: Record<string, string[]> = {
  npm: [
    '0.0.0-foo',
    '0.0.0',
    '0.0.1',
    '0.9.9',
    '1.2.3-4',
    '1.2.3-5',
    '1.2.3-a',
    '1.2.3-a.5',
    '1.2.3-a.10',
    '1.2.3-a.b',
    '1.2.3',
    '2.0.0',
  ],
  'crates.io': ['1.2.3-R2', '1.2.3-r100', '1.2.3-r2', '1.2.3', '2.7.2+asdf', '3.0.0'],
  Go: [
    'bad',
    'v1.0.0-alpha',
    'v1.0.0-alpha.1',
    'v1.0.0-alpha.beta',
    'v1.0.0-beta',
    'v1.0.0-beta.2',
    'v1.0.0-beta.11',
    'v1.0.0-rc.1',
    'v1',
    'v1.2',
    'v1.2.3-456',
    'v1.2.3-456.789',
    'v1.2.3-456-789',
    'v1.2.3-456a',
    'v1.2.3-pre',
    'v1.2.3-pre.1',
    'v1.2.3-zzz',
    'v1.2.3',
    'v1.2.4-0.20191109021931-daa7c04131f5',
    'v1.2.4',
  ],
  PyPI: [
    '0.1-bulbasaur',
    '0.9-ivysaur',
    '1.0.dev0',
    '1.0a0',
    '1.0',
    '1.0.0+local',
    '1.0-1',
    '1.0-2',
    '1.36.0rc1',
    '1.36.0',
    '1!1.0',
    '2!1.0',
  ],
  Maven: [
    '1-alpha2snapshot',
    '1-alpha2',
    '1-alpha-123',
    '1-beta-2',
    '1-beta123',
    '1-m2',
    '1-m11',
    '1-rc',
    '1-cr2',
    '1-rc123',
    '1-SNAPSHOT',
    '1',
    '1-sp',
    '1-sp2',
    '1-sp123',
    '1-abc',
    '1-def',
    '1-pom-1',
    '1-1-snapshot',
    '1-1',
    '1-2',
    '1-123',
  ],
  NuGet: [
    '0.0.0',
    '0.9.9.1',
    '1.0.0-BETA',
    '1.0.0-beta.1',
    '1.0.0-beta2',
    '1.0.0',
    '1.0.0.1-alpha',
    '1.0.0.1-pre',
    '1.0.0.1',
    '1.0.1',
    '1.999.9999',
    '2.1.1',
  ],
  RubyGems: [
    '1.0.0.beta1',
    '1.0.0.beta5',
    '1.0.0.rc1',
    '1.0.0',
    '1.0.0.1',
    '1.1.0.rc',
    '1.1.0.rc2',
    '1.1.0',
    '1.1.7',
    '1.2.0.pre',
    '1.2.0',
    '1.8.2.a',
    '1.8.2.a9',
    '1.8.2.a10',
    '1.8.2.b',
    '1.8.2',
  ],
  Packagist: [
    '0.1.3',
    '1.0.0alpha1',
    '1.0.0alpha2',
    '1.0.0-alpha3',
    '1.0.0beta1',
    '1.0.0beta3',
    '1.0.0rc1',
    '1.0.0rc2',
    '2.0.0',
    '2.0.4',
    '2.0.4.1',
    '2.1.0-beta',
    '2.1.0-beta2',
    '2.1.0',
    '2.1.0.1',
    'v5.0.0-BETA1',
    'v5.0.0-RC1',
    'v5.0.0',
  ],
  Debian: [
    '1.0~~',
    '1.0~~a',
    '1.0~',
    '1.0~rc1',
    '1.0',
    '1.0-1~bpo11+1',
    '1.0-1',
    '1.0-1ubuntu1',
    '1.0-1ubuntu2',
    '1.0-1ubuntu10',
    '1.0-1+deb12u1',
    '1.0a',
    '1.0+b1',
    '1.0+nmu1',
    '1.0.0',
    '1:0.9',
    '2:0.1',
  ],
  Alpine: [
    '0.1.0_alpha_pre2',
    '0.1.0_alpha',
    '0.1.0_alpha2',
    '0.1.3_alpha',
    '1.0_p9-r0',
    '1.0_p10-r0',
    '1.3_pre1-r1',
    '1.3-r0',
    '1.3.1-r0',
    '1.3.2',
    '2.3.0b-r1',
    '2.3.0b-r2',
    '2.9.11_pre20051101',
    '2.9.11_pre20051101-r2',
    '2.9.11_pre20061021-r1',
    '4.5_p1',
    '4.5_p1-r1',
  ],
  AlmaLinux: [
    '1.0~rc1~git123',
    '1.0~rc1',
    '1.0~rc1^git1',
    '1.0~rc2',
    '1.0',
    '1.0^',
    '1.0^20160101',
    '1.0^20160101^git1',
    '1.0^20160102',
    '1.0.1',
    '0:3.10.0-229.el7',
    '0:3.10.0-229.1.2.ael7b',
    '0:3.10.0-229.1.2.el7',
    '1:1.0',
  ],
  Hackage: ['0', '0.1.26.0', '0.11.3.0', '1', '1.0', '1.0.0', '1.0.0.0', '1.0.1.0', '1.1', '2.0', '2.0.0.0'],
};

test('sorting a shuffled list gives the published order', () => {
  for (const [ecosystem, expected] of Object.entries(ORDERED)) {
    const s = scheme(ecosystem);
    for (let seed = 1; seed <= 20; seed++) {
      assert.deepEqual(shuffled(expected, seed).sort(s.compare), expected, `${ecosystem}, seed ${seed}`);
    }
  }
});

/**
 * Maven's own ordering is not transitive around MNG-6964's `1-0.alpha`: it sorts below `1`, yet
 * above `1-sp`, which sorts above `1` (ComparableVersion gives the same three answers).
 */
const INTRANSITIVE = new Set(['1-0.alpha', '1-0.beta']);

test('sorting every valid version of a fixture gives an order consistent with all pairs', () => {
  for (const suite of SUITES) {
    const s = scheme(suite.ecosystem);
    const versions = [...new Set(parseVectors(fixture(suite.file)).flatMap((v) => [v.a, v.b]))].filter(
      (v) => s.isValid(v) && !(suite.ecosystem === 'Maven' && INTRANSITIVE.has(v)),
    );
    const sorted = shuffled(versions, 7).sort(s.compare);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        const r = s.compare(sorted[i] as string, sorted[j] as string);
        assert.ok(
          r <= 0,
          `${suite.ecosystem} (${suite.file}): ${sorted[i]} sorted before ${sorted[j]} but compares ${r}`,
        );
      }
    }
  }
});
