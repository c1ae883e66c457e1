import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RampartError } from '../core/errors.js';

/** Writes via a temporary file and a rename, so a failure never leaves a half-written report. */
export function writeAtomically(file: string, text: string): void {
  const abs = path.resolve(file);
  const tmp = `${abs}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(tmp, text.endsWith('\n') ? text : `${text}\n`);
    renameSync(tmp, abs);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new RampartError(
      'OUTPUT_FAILED',
      `cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}
