/**
 * Reads comparison vectors in the format shared by osv-scanner and osv-scalibr
 * (`internal/semantic/fixtures/*-versions.txt`): one `a OP b` per line with OP in `<`, `=`, `>`;
 * blank lines and lines starting with `#` or `//` are comments.
 */
export interface Vector {
  a: string;
  op: '<' | '=' | '>';
  b: string;
  /** 1-based line in the fixture file. */
  line: number;
}

export function parseVectors(text: string): Vector[] {
  const out: Vector[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('//')) return;
    const parts = line.split(' ');
    const [a, op, b] = parts;
    if (
      parts.length !== 3 ||
      a === undefined ||
      b === undefined ||
      (op !== '<' && op !== '=' && op !== '>')
    ) {
      throw new Error(`line ${i + 1}: not "a OP b": ${line}`);
    }
    out.push({ a, op, b, line: i + 1 });
  });
  return out;
}

export function expectedSign(op: Vector['op']): number {
  return op === '<' ? -1 : op === '>' ? 1 : 0;
}
