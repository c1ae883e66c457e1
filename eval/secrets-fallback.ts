/**
 * Fallback used by `npm run eval -- secrets` only when the CLI cannot write SARIF: scans a folder with
 * the secret scanner API and writes a minimal SARIF log (enough for the official scorer).
 * usage: node --import tsx eval/secrets-fallback.ts <files-root> <out.sarif>
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createSecretScanner } from '../src/scanners/secret/index.js';

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile()) out.push(child);
    }
  };
  await walk('');
  return out.sort();
}

async function main(root: string, out: string): Promise<void> {
  const scanner = await createSecretScanner({ config: {} });
  const results: unknown[] = [];
  for (const rel of await listFiles(root)) {
    const content = await readFile(path.join(root, rel));
    const findings = scanner.scan({ path: rel, content }, { warn: () => {}, deadline: Date.now() + 10_000 });
    for (const f of findings) {
      const loc = f.location;
      if (!loc) continue;
      results.push({
        ruleId: f.ruleId,
        level: 'error',
        // Finding messages carry masked evidence only.
        message: { text: f.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: loc.path.split('/').map(encodeURIComponent).join('/') },
              region: {
                startLine: loc.startLine,
                startColumn: loc.startColumn,
                endLine: loc.endLine,
                endColumn: loc.endColumn,
              },
            },
          },
        ],
      });
    }
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'rampart', rules: [] } }, results }],
  };
  await writeFile(out, JSON.stringify(sarif));
}

const [root, out] = process.argv.slice(2);
if (!root || !out) {
  console.error('usage: secrets-fallback.ts <files-root> <out.sarif>');
  process.exitCode = 2;
} else {
  main(root, out).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}
