/**
 * Splits a byte stream into lines without ever holding more than `maxLine` bytes of one line: git
 * output comes from a repository we do not trust, and one line of a patch can be a gigabyte of
 * minified or generated text. A line longer than the cap is cut and flagged `truncated`; the rest of
 * it is dropped as it streams by.
 */
export interface Line {
  /** The line without its `\n` (a `\r` before it is kept). */
  bytes: Buffer;
  truncated: boolean;
}

const NEWLINE = 0x0a;

export class LineSplitter {
  private parts: Buffer[] = [];
  private length = 0;
  private truncated = false;

  constructor(private readonly maxLine: number) {
    if (!(maxLine > 0)) throw new RangeError('maxLine must be positive');
  }

  /** The complete lines that `chunk` finishes, in order. */
  push(chunk: Buffer): Line[] {
    const out: Line[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl === -1 ? chunk.length : nl;
      this.append(chunk.subarray(start, end));
      if (nl === -1) break;
      out.push(this.take());
      start = nl + 1;
    }
    return out;
  }

  /** The last line when the stream did not end with `\n`. */
  end(): Line[] {
    return this.length > 0 || this.truncated ? [this.take()] : [];
  }

  private append(piece: Buffer): void {
    if (this.truncated || piece.length === 0) return;
    const room = this.maxLine - this.length;
    if (piece.length > room) {
      if (room > 0) this.parts.push(Buffer.from(piece.subarray(0, room)));
      this.length += Math.max(room, 0);
      this.truncated = true;
      return;
    }
    // Copy: a line must not pin the whole (64 KiB) chunk it came from.
    this.parts.push(Buffer.from(piece));
    this.length += piece.length;
  }

  private take(): Line {
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length);
    const line = { bytes, truncated: this.truncated };
    this.parts = [];
    this.length = 0;
    this.truncated = false;
    return line;
  }
}
