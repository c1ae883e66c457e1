import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gitFailureMessage } from './failure.js';

const ctx = { where: '/repo', action: 'git log' };

test('maps git stderr to one clear line', () => {
  assert.equal(
    gitFailureMessage('fatal: not a git repository (or any of the parent directories): .git\n', ctx),
    'not a git repository: /repo',
  );
  assert.equal(
    gitFailureMessage(
      "fatal: ambiguous argument 'main': unknown revision or path not in the working tree.\nUse '--' to separate paths\n",
      ctx,
    ),
    'unknown revision: main',
  );
  assert.equal(gitFailureMessage("fatal: bad revision 'v9'\n", ctx), 'unknown revision: v9');
  assert.match(
    gitFailureMessage(
      "fatal: detected dubious ownership in repository at '/srv/r'\nTo add an exception...\n",
      ctx,
    ),
    /^git refuses the repository \/srv\/r .*safe\.directory \/srv\/r$/,
  );
  assert.equal(
    gitFailureMessage('fatal: this operation must be run in a work tree\n', {
      where: '/r.git',
      action: 'git diff',
    }),
    'git diff needs a working tree; /r.git is a bare repository',
  );
  assert.equal(
    gitFailureMessage('warning: x\nfatal: something odd\n', ctx),
    'git log failed in /repo: something odd',
  );
  assert.equal(gitFailureMessage('', ctx), 'git log failed in /repo: no message');
});
