// Packs examples/advisories/records/*.json into examples/.demo/advisories/<Ecosystem>/all.zip (the
// public OSV bucket layout) for `npm run demo`.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', '.demo', 'advisories');
const byEcosystem = new Map();
for (const name of readdirSync(path.join(here, 'records')).filter((n) => n.endsWith('.json')).sort()) {
  const bytes = readFileSync(path.join(here, 'records', name));
  const record = JSON.parse(bytes.toString('utf8'));
  for (const eco of new Set(record.affected.map((a) => a.package.ecosystem.split(':')[0]))) {
    if (!byEcosystem.has(eco)) byEcosystem.set(eco, {});
    byEcosystem.get(eco)[name] = new Uint8Array(bytes);
  }
}
for (const [eco, files] of byEcosystem) {
  mkdirSync(path.join(out, eco), { recursive: true });
  writeFileSync(path.join(out, eco, 'all.zip'), zipSync(files));
}
console.log(`demo advisories: ${[...byEcosystem].map(([e, f]) => `${e} ${Object.keys(f).length}`).join(', ')} → ${path.relative(process.cwd(), out)}`);
