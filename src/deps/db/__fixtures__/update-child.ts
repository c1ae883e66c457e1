/**
 * Runs one database update in its own process, for the test that kills an update half-way.
 * Usage: node --import tsx update-child.ts <source> <dir> <ecosystem,...>
 */
import { updateDatabase } from '../update.js';

const [source, dir, ecosystems] = process.argv.slice(2);
if (!source || !dir || !ecosystems) {
  process.stderr.write('usage: update-child.ts <source> <dir> <ecosystems>\n');
  process.exit(2);
}
await updateDatabase({ source, dir, ecosystems: ecosystems.split(',') });
process.stdout.write('done\n');
