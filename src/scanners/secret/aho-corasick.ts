/**
 * A byte-level Aho-Corasick automaton compiled to a dense DFA, ASCII case-insensitive. One pass over
 * the bytes finds every occurrence of every keyword: scanning cost scales with bytes, not with the
 * number of rules. Keywords are matched as bytes (UTF-8), so the input never needs decoding.
 */
export interface KeywordAutomaton {
  readonly keywords: readonly string[];
  /**
   * Calls `onHit(keywordIndex, endOffset)` for every occurrence (endOffset exclusive), in order of
   * end offset. Returning `false` from onHit stops the scan early.
   */
  scan(bytes: Uint8Array, onHit: (keyword: number, end: number) => boolean | void): void;
  /** True when at least one keyword occurs (stops at the first). */
  test(bytes: Uint8Array): boolean;
}

const ALPHABET = 256;

export function buildKeywordAutomaton(keywords: readonly string[]): KeywordAutomaton {
  const encoded = keywords.map((k) => Buffer.from(k.toLowerCase(), 'utf8'));
  // 1. Trie with sparse children (Map) first; states numbered in creation order.
  const children: Map<number, number>[] = [new Map()];
  const outputs: number[][] = [[]];
  encoded.forEach((kw, idx) => {
    let s = 0;
    for (const b of kw) {
      const c = lower(b);
      let next = children[s]!.get(c);
      if (next === undefined) {
        next = children.length;
        children.push(new Map());
        outputs.push([]);
        children[s]!.set(c, next);
      }
      s = next;
    }
    outputs[s]!.push(idx);
  });
  const stateCount = children.length;
  const delta = stateCount < 65536 ? new Uint16Array(stateCount * ALPHABET) : new Uint32Array(stateCount * ALPHABET);
  const fail = new Int32Array(stateCount);
  // 2. BFS to fill failure links and complete the DFA (goto function for every byte).
  const queue: number[] = [];
  for (let b = 0; b < ALPHABET; b++) delta[b] = children[0]!.get(lower(b)) ?? 0;
  for (const next of children[0]!.values()) {
    fail[next] = 0;
    queue.push(next);
  }
  for (let qi = 0; qi < queue.length; qi++) {
    const s = queue[qi]!;
    const f = fail[s]!;
    // inherit outputs of the failure state (suffix keywords)
    if (outputs[f]!.length) outputs[s] = outputs[s]!.concat(outputs[f]!);
    // Each child is enqueued once (upper- and lower-case bytes share it).
    for (const [c, next] of children[s]!) {
      fail[next] = delta[f * ALPHABET + c]!;
      queue.push(next);
    }
    for (let b = 0; b < ALPHABET; b++) {
      const next = children[s]!.get(lower(b));
      delta[s * ALPHABET + b] = next !== undefined ? next : delta[f * ALPHABET + b]!;
    }
  }
  // 3. Flatten outputs.
  const outStart = new Int32Array(stateCount + 1);
  const flat: number[] = [];
  for (let s = 0; s < stateCount; s++) {
    outStart[s] = flat.length;
    flat.push(...outputs[s]!);
  }
  outStart[stateCount] = flat.length;
  const outFlat = Int32Array.from(flat);

  return {
    keywords,
    scan(bytes, onHit) {
      let s = 0;
      const n = bytes.length;
      for (let i = 0; i < n; i++) {
        s = delta[(s << 8) | bytes[i]!]!;
        const a = outStart[s]!;
        const e = outStart[s + 1]!;
        if (a !== e) {
          for (let k = a; k < e; k++) if (onHit(outFlat[k]!, i + 1) === false) return;
        }
      }
    },
    test(bytes) {
      let s = 0;
      const n = bytes.length;
      for (let i = 0; i < n; i++) {
        s = delta[(s << 8) | bytes[i]!]!;
        if (outStart[s] !== outStart[s + 1]) return true;
      }
      return false;
    },
  };
}

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
}
