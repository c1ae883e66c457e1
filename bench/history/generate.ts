/**
 * Builds the deterministic history benchmark repository with `git fast-import`: a main line with
 * merged feature branches, one unmerged branch, and planted secrets added and removed at known
 * commits. Same parameters ⇒ same commits (fixed dates and authors) ⇒ same shas.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Plant {
  id: string;
  /** The secret itself (stays in this process; only masks are printed). */
  secret: string;
  path: string;
  /** fast-import mark of the commit that first adds it; resolved to a sha after the import. */
  mark: number;
  sha?: string;
  note: string;
}

export interface GeneratedRepo {
  dir: string;
  commits: number;
  plants: Plant[];
}

const AUTHORS = [
  ['Alice Example', 'alice@example.org'],
  ['Bob Sample', 'bob@example.org'],
  ['Chloé Müller', 'chloe@example.org'],
] as const;
const WORDS =
  'alpha beta gamma delta epsilon zeta theta kappa lambda sigma omega vector matrix buffer stream parser render client server cache queue'.split(
    ' ',
  );
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

class Rng {
  constructor(private x: number) {}
  next(): number {
    // xorshift32
    this.x ^= this.x << 13;
    this.x >>>= 0;
    this.x ^= this.x >>> 17;
    this.x ^= this.x << 5;
    this.x >>>= 0;
    return this.x;
  }
  int(n: number): number {
    return this.next() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
}

/** Files of one line of history (main or a branch): path → lines. */
type Tree = Map<string, string[]>;

export async function generateRepo(dir: string, totalCommits: number): Promise<GeneratedRepo> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '--initial-branch=main');
  const rng = new Rng(0x5eed1234);
  const secretRng = new Rng(0xc0ffee11);
  const aws = () => ['AK', 'IA', secretRng.chars(16, B32)].join('');
  const ghp = () => ['gh', 'p_', secretRng.chars(36, ALNUM)].join('');

  const out: string[] = [];
  let mark = 0;
  let clock = Date.UTC(2020, 0, 1) / 1000;
  let commits = 0;
  const plants: Plant[] = [];

  const codeLine = () =>
    `export const ${rng.pick(WORDS)}_${rng.int(100000)} = compute(${rng.int(1000)}, '${rng.pick(WORDS)} ${rng.pick(WORDS)}');`;

  const main: Tree = new Map();
  for (let f = 0; f < 60; f++) {
    main.set(`src/mod${f % 12}/file${f}.ts`, Array.from({ length: 40 }, codeLine));
  }
  main.set('config/prod.env', ['REGION=eu-west-1', 'LOG_LEVEL=info']);
  main.set('config/staging.env', ['REGION=eu-central-1', 'LOG_LEVEL=debug']);
  main.set('scripts/deploy.sh', ['#!/bin/sh', 'set -eu', 'echo deploying']);

  /** Writes one commit; `changes` = files to (re)write or delete (undefined content). */
  const commit = (
    ref: string,
    parents: number[],
    changes: Map<string, string[] | undefined>,
    message: string,
  ): number => {
    mark++;
    commits++;
    clock += 600 + rng.int(3000);
    const [name, email] = AUTHORS[commits % AUTHORS.length]!;
    const msg = Buffer.from(`${message}\n`);
    out.push(
      `commit ${ref}\nmark :${mark}\nauthor ${name} <${email}> ${clock} +0000\ncommitter ${name} <${email}> ${clock} +0000\ndata ${msg.length}\n${msg}`,
    );
    if (parents[0] !== undefined) out.push(`from :${parents[0]}\n`);
    for (const p of parents.slice(1)) out.push(`merge :${p}\n`);
    for (const [p, lines] of changes) {
      if (lines === undefined) {
        out.push(`D ${p}\n`);
      } else {
        const data = Buffer.from(lines.join('\n') + '\n');
        out.push(`M 100644 inline ${p}\ndata ${data.length}\n${data}\n`);
      }
    }
    out.push('\n');
    return mark;
  };

  /** A random edit of 1–3 files of `tree`; returns the changed files. */
  const edit = (tree: Tree, files: string[]): Map<string, string[]> => {
    const changes = new Map<string, string[]>();
    const n = 1 + rng.int(3);
    for (let k = 0; k < n; k++) {
      const p = rng.pick(files);
      const lines = [...tree.get(p)!];
      const edits = 1 + rng.int(3);
      for (let e = 0; e < edits; e++) {
        const at = rng.int(lines.length + 1);
        const op = rng.int(3);
        if (op === 0 || lines.length < 20) lines.splice(at, 0, codeLine());
        else if (op === 1 && lines.length > 20) lines.splice(Math.min(at, lines.length - 1), 1);
        else lines[Math.min(at, lines.length - 1)] = codeLine();
      }
      if (lines.length > 300) lines.splice(0, lines.length - 300);
      tree.set(p, lines);
      changes.set(p, lines);
    }
    return changes;
  };

  const plant = (
    tree: Tree,
    p: string,
    line: string,
    id: string,
    secret: string,
    note: string,
  ): Map<string, string[]> => {
    const lines = [...(tree.get(p) ?? []), line];
    tree.set(p, lines);
    plants.push({ id, secret, path: p, mark: mark + 1, note });
    return new Map([[p, lines]]);
  };
  const unplant = (tree: Tree, p: string, secret: string): Map<string, string[]> => {
    const lines = tree.get(p)!.filter((l) => !l.includes(secret));
    tree.set(p, lines);
    return new Map([[p, lines]]);
  };

  const mainFiles = () => [...main.keys()].filter((p) => p.startsWith('src/'));
  let head = commit('refs/heads/main', [], main, 'initial import');

  const s1 = aws();
  const s2 = ghp();
  const s3 = aws();
  const s4 = ghp();
  const s5 = ghp();
  const s6 = aws();

  let mainIndex = 1;
  let branchNo = 0;
  const reserved = 14; // the unmerged branch and the last plants
  while (commits < totalCommits) {
    mainIndex++;
    let changes: Map<string, string[] | undefined>;
    let message = `change ${mainIndex}: ${rng.pick(WORDS)} ${rng.pick(WORDS)}`;
    if (mainIndex === 120) {
      changes = plant(
        main,
        'config/prod.env',
        `AWS_ACCESS_KEY_ID=${s1}`,
        'P1',
        s1,
        'added at main #120, removed at #400',
      );
      message = 'configure production';
    } else if (mainIndex === 400) {
      changes = unplant(main, 'config/prod.env', s1);
    } else if (mainIndex === 1500) {
      changes = plant(
        main,
        'scripts/deploy.sh',
        `export GITHUB_TOKEN=${s2}`,
        'P2',
        s2,
        'added at #1500, removed at #1502, re-added at #3000 (reported once, at #1500)',
      );
    } else if (mainIndex === 1502 || mainIndex === 3002) {
      changes = unplant(main, 'scripts/deploy.sh', s2);
    } else if (mainIndex === 3000) {
      const lines = [...main.get('scripts/deploy.sh')!, `export GITHUB_TOKEN=${s2}`];
      main.set('scripts/deploy.sh', lines);
      changes = new Map([['scripts/deploy.sh', lines]]);
    } else if (mainIndex === 2500) {
      const p = 'src/mod3/file3.ts';
      changes = plant(main, p, `const awsKeyId = '${s3}';`, 'P3', s3, 'added at #2500, still at HEAD');
    } else if (commits >= totalCommits - reserved && !plants.some((x) => x.id === 'P6')) {
      changes = plant(
        main,
        'config/staging.env',
        `AWS_ACCESS_KEY_ID=${s6}`,
        'P6',
        s6,
        'added near the end, removed 3 commits later',
      );
    } else if (
      plants.some((x) => x.id === 'P6') &&
      main.get('config/staging.env')!.some((l) => l.includes(s6)) &&
      commits >= totalCommits - reserved + 3
    ) {
      changes = unplant(main, 'config/staging.env', s6);
    } else {
      changes = edit(main, mainFiles());
    }
    head = commit('refs/heads/main', [head], changes, message);

    // Every 400 main commits: a feature branch of 8 commits on its own files, merged back.
    if (mainIndex % 400 === 0 && commits + 10 < totalCommits - reserved) {
      branchNo++;
      const ref = `refs/heads/feature-${branchNo}`;
      const tree: Tree = new Map();
      const own = Array.from({ length: 3 }, (_, i) => `feature-${branchNo}/part${i}.ts`);
      for (const p of own) tree.set(p, Array.from({ length: 20 }, codeLine));
      let tip = commit(ref, [head], tree, `feature ${branchNo}: start`);
      for (let k = 1; k < 8; k++) {
        const c =
          branchNo === 2 && k === 4
            ? plant(
                tree,
                `feature-${branchNo}/notes.md`,
                `token: ${s4}`,
                'P4',
                s4,
                'added on branch feature-2, merged into main',
              )
            : edit(tree, own);
        tip = commit(ref, [tip], c, `feature ${branchNo}: step ${k}`);
      }
      for (const [p, lines] of tree) main.set(p, lines);
      head = commit('refs/heads/main', [head, tip], tree, `Merge branch 'feature-${branchNo}'`);
    }
    // Once: a branch that is never merged (reachable only through --all).
    if (mainIndex === 2000) {
      const tree: Tree = new Map([['experiment/try.py', ['import os']]]);
      let tip = commit('refs/heads/experiment', [head], tree, 'experiment: start');
      tip = commit(
        'refs/heads/experiment',
        [tip],
        plant(tree, 'experiment/try.py', `GH = "${s5}"`, 'P5', s5, 'on the unmerged branch experiment'),
        'experiment: try the API',
      );
      commit('refs/heads/experiment', [tip], edit(tree, ['experiment/try.py']), 'experiment: more');
    }
  }

  await fastImport(dir, out.join(''));
  const marks = new Map<number, string>();
  for (const line of fs.readFileSync(path.join(dir, '.git', 'bench-marks'), 'utf8').split('\n')) {
    const m = /^:(\d+) ([0-9a-f]{40})$/.exec(line);
    if (m) marks.set(Number(m[1]), m[2]!);
  }
  for (const p of plants) p.sha = marks.get(p.mark);
  git('symbolic-ref', 'HEAD', 'refs/heads/main');
  git('reset', '-q', '--hard', 'refs/heads/main');
  return { dir, commits, plants };
}

function fastImport(dir: string, stream: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['fast-import', '--quiet', '--export-marks=.git/bench-marks'], {
      cwd: dir,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`git fast-import failed: ${stderr}`)),
    );
    child.stdin.end(stream);
  });
}
