import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What every eval section receives: where the repository, the shared data and the peers are. */
export interface EvalContext {
  repoRoot: string;
  /** The shared corpora folder (`RAMPART_SHARED`, else `<repo>/../shared`); may not exist. */
  shared: string;
  /** Scratch folder for outputs (git-ignored). */
  workDir: string;
  /** Rewrite the docs/ tables from the figures measured in this run. */
  writeDocs: boolean;
  /** Exit non-zero when a section misses its acceptance targets. */
  check: boolean;
  log: (line?: string) => void;
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function sharedRoot(env: NodeJS.ProcessEnv = process.env, root = repoRoot): string {
  const fromEnv = env.RAMPART_SHARED?.trim();
  return fromEnv ? path.resolve(fromEnv) : path.resolve(root, '..', 'shared');
}

/**
 * The official SARIF validator (`@microsoft/sarif-multitool`), as installed outside the repository by
 * `<shared>/tools/install-peers.sh sarif`: `$SARIF_MULTITOOL`, else the peers cache folder
 * (`$RAMPART_PEERS_DIR` or `~/.cache/rampart-peers`), else the devDependency in node_modules.
 * Undefined when none is installed.
 */
export function sarifMultitool(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    env.SARIF_MULTITOOL,
    path.join(
      env.RAMPART_PEERS_DIR ?? path.join(homedir(), '.cache', 'rampart-peers'),
      'node_modules',
      '@microsoft',
      'sarif-multitool-linux',
      'Sarif.Multitool',
    ),
    // The devDependency's Linux binary (what `npm test` uses).
    path.join(repoRoot, 'node_modules', '@microsoft', 'sarif-multitool-linux', 'Sarif.Multitool'),
  ];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

export async function ensureWorkDir(ctx: EvalContext, section: string): Promise<string> {
  const dir = path.join(ctx.workDir, section);
  await mkdir(dir, { recursive: true });
  return dir;
}
