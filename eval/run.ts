/**
 * `npm run eval [-- <section>…] [--write-docs] [--check]`: measures Rampart against the labeled
 * corpora of the shared folder (`RAMPART_SHARED` or `<repo>/../shared`) with the official scorers.
 * Without the shared folder every section says so and the run exits 0 (the corpora are not part of
 * the repository; `npm test` never needs them).
 */
import path from 'node:path';
import { repoRoot, sharedRoot, type EvalContext } from './context.js';
import { runSecretsEval } from './secrets.js';
import { runIacEval } from './iac.js';
import { runDepsEval } from './deps.js';
import { runPolicyEval } from './policies.js';
import { runImagesEval } from './images.js';

type Section = (ctx: EvalContext) => Promise<boolean>;

/** Every section returns whether it met its acceptance targets (true when it could not run). */
const sections: Record<string, Section> = {
  secrets: runSecretsEval,
  iac: runIacEval,
  deps: runDepsEval,
  policies: runPolicyEval,
  images: runImagesEval,
};

function usage(): string {
  return `usage: npm run eval -- [${Object.keys(sections).join('|')}]… [--write-docs] [--check]
  --write-docs  rewrite the docs/ tables (e.g. docs/eval-secrets.md) with the measured figures
  --check       exit 1 when a section misses its acceptance targets`;
}

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith('-')));
  const names = argv.filter((a) => !a.startsWith('-'));
  if (flags.has('--help') || flags.has('-h')) {
    console.log(usage());
    return 0;
  }
  for (const f of flags) {
    if (!['--write-docs', '--check'].includes(f)) {
      console.error(`eval: unknown flag ${f}\n${usage()}`);
      return 2;
    }
  }
  for (const n of names) {
    if (!sections[n]) {
      console.error(`eval: unknown section "${n}"\n${usage()}`);
      return 2;
    }
  }
  const ctx: EvalContext = {
    repoRoot,
    shared: sharedRoot(),
    workDir: path.join(repoRoot, 'eval', '.work'),
    writeDocs: flags.has('--write-docs'),
    check: flags.has('--check'),
    log: (line = '') => console.log(line),
  };
  let ok = true;
  for (const name of names.length ? names : Object.keys(sections)) {
    ok = (await sections[name]!(ctx)) && ok;
  }
  return ctx.check && !ok ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`eval: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 2;
  },
);
