import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { RampartError } from '../core/errors.js';
import { collectManifests } from '../deps/collect.js';
import { buildInventory } from '../deps/inventory.js';
import { toCycloneDx } from '../sbom/cyclonedx.js';
import { toSpdx } from '../sbom/spdx.js';
import type { SbomFlags } from './commands/sbom.js';
import { rampartVersion } from './version.js';
import { writeAtomically } from './write-output.js';

export async function executeSbom(target: string, flags: SbomFlags): Promise<void> {
  const config = loadConfig({
    cwd: process.cwd(),
    configPath: flags.config,
    env: process.env,
    flags: {
      ...(flags.skipPaths ? { 'skip-paths': flags.skipPaths } : {}),
      ...(flags.gitignore === false ? { 'respect-gitignore': false } : {}),
      ...(flags.maxFileSize ? { 'max-file-size': flags.maxFileSize } : {}),
    },
  });
  const root = path.resolve(target);
  if (!existsSync(root)) throw new RampartError('PATH_UNREADABLE', `no such file or directory: ${target}`);
  const skipped: string[] = [];
  const files = await collectManifests({
    root,
    maxFileSize: config.maxFileSize,
    respectGitignore: config.respectGitignore,
    skipPaths: config.skipPaths,
    onSkip: (s) => {
      if (s.reason !== 'ignored') skipped.push(`${s.path} (${s.reason}${s.detail ? `: ${s.detail}` : ''})`);
    },
  });
  const inventory = buildInventory(files);
  for (const p of inventory.problems)
    process.stderr.write(`rampart: warning: ${p.path}${p.line ? `:${p.line}` : ''}: ${p.message}\n`);
  for (const u of inventory.unresolved)
    process.stderr.write(
      `rampart: note: ${u.path}${u.line ? `:${u.line}` : ''}: ${u.name} not resolved: ${u.reason}\n`,
    );
  for (const s of skipped) process.stderr.write(`rampart: skipped ${s}\n`);

  const input = {
    target: path.basename(root) || root,
    toolVersion: rampartVersion(),
    components: inventory.components,
  };
  const doc = flags.format === 'spdx' ? toSpdx(input) : toCycloneDx(input);
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (flags.output) {
    writeAtomically(flags.output, text);
    process.stderr.write(
      `rampart: ${inventory.components.length} component(s) from ${inventory.files.length} file(s); ${flags.format} SBOM written to ${flags.output}\n`,
    );
  } else process.stdout.write(text);
}
