import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePython, parseMetadataHeaders } from './python.js';
import { FileIndex } from './files.js';
import { memFiles } from './test-files.js';

const PIP = `Metadata-Version: 2.1
Name: pip
Version: 23.0.1
Summary: The PyPA recommended tool for installing Python packages.
License: MIT
Classifier: Development Status :: 5 - Production/Stable
Classifier: License :: OSI Approved :: MIT License
Requires-Python: >=3.7

Body: not a header
`;

const SETUPTOOLS = `Metadata-Version: 2.1
Name: setuptools
Version: 66.1.1
License: UNKNOWN
Classifier: License :: OSI Approved :: MIT License
`;

const EGG = `Metadata-Version: 1.1
Name: Some_Package
Version: 0.3
License: Apache License 2.0
 second line of the licence text
`;

test('python: dist-info METADATA, egg-info PKG-INFO and single-file egg-info', () => {
  const files = memFiles({
    '/opt/venv/lib/python3.11/site-packages/pip-23.0.1.dist-info/METADATA': PIP,
    '/opt/venv/lib/python3.11/site-packages/pip-23.0.1.dist-info/RECORD': 'x',
    '/opt/venv/lib/python3.11/site-packages/setuptools-66.1.1.dist-info/METADATA': SETUPTOOLS,
    '/usr/lib/python3/dist-packages/Some_Package-0.3.egg-info/PKG-INFO': EGG,
    '/usr/lib/python3/dist-packages/modern-1.0.egg-info':
      'Name: modern\nVersion: 1.0\nLicense-Expression: MIT OR Apache-2.0\nClassifier: License :: OSI Approved :: BSD License\n',
    '/usr/lib/python3/dist-packages/bad-1.dist-info/METADATA': 'Summary: no name\n',
  });
  const out = analyzePython(new FileIndex(files));
  assert.deepEqual(
    out.components.map((c) => [c.name, c.version, c.purl, c.licenses]),
    [
      ['pip', '23.0.1', 'pkg:pypi/pip@23.0.1', ['MIT']],
      ['setuptools', '66.1.1', 'pkg:pypi/setuptools@66.1.1', ['MIT']],
      ['Some_Package', '0.3', 'pkg:pypi/some-package@0.3', ['Apache-2.0']],
      ['modern', '1.0', 'pkg:pypi/modern@1.0', ['MIT OR Apache-2.0']],
    ],
  );
  assert.deepEqual(out.problems, [
    {
      path: 'usr/lib/python3/dist-packages/bad-1.dist-info/METADATA',
      message: 'metadata without Name or Version',
    },
  ]);
});

test('metadata headers stop at the first blank line', () => {
  const h = parseMetadataHeaders(PIP);
  assert.equal(h.get('body'), undefined);
  assert.deepEqual(h.get('classifier'), [
    'Development Status :: 5 - Production/Stable',
    'License :: OSI Approved :: MIT License',
  ]);
});
