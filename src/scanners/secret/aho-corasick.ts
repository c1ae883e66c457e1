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
  const delta =
    stateCount < 65536 ? new Uint16Array(stateCount * ALPHABET) : new Uint32Array(stateCount * ALPHABET);
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
  // 3. Renumber states so that every state with an output comes last: the scan loop then needs one
  //    comparison per byte (s >= firstOutput) instead of two table loads.
  const order: number[] = [];
  for (let s = 0; s < stateCount; s++) if (outputs[s]!.length === 0) order.push(s);
  const firstOutput = order.length;
  for (let s = 0; s < stateCount; s++) if (outputs[s]!.length > 0) order.push(s);
  // the root must stay state 0: it has no output (keywords are non-empty), so it is order[0]
  const newId = new Int32Array(stateCount);
  order.forEach((old, i) => (newId[old] = i));
  const table =
    stateCount < 65536 ? new Uint16Array(stateCount * ALPHABET) : new Uint32Array(stateCount * ALPHABET);
  for (let old = 0; old < stateCount; old++) {
    const base = newId[old]! * ALPHABET;
    const oldBase = old * ALPHABET;
    for (let b = 0; b < ALPHABET; b++) table[base + b] = newId[delta[oldBase + b]!]!;
  }
  // 4. Flatten outputs (indexed by new id - firstOutput).
  const outputCount = stateCount - firstOutput;
  const outStart = new Int32Array(outputCount + 1);
  const flat: number[] = [];
  for (let i = 0; i < outputCount; i++) {
    outStart[i] = flat.length;
    flat.push(...outputs[order[firstOutput + i]!]!);
  }
  outStart[outputCount] = flat.length;
  const outFlat = Int32Array.from(flat);

  return {
    keywords,
    scan(bytes, onHit) {
      let s = 0;
      const n = bytes.length;
      for (let i = 0; i < n; i++) {
        s = table[(s << 8) | bytes[i]!]!;
        if (s >= firstOutput) {
          const o = s - firstOutput;
          const e = outStart[o + 1]!;
          for (let k = outStart[o]!; k < e; k++) if (onHit(outFlat[k]!, i + 1) === false) return;
        }
      }
    },
    test(bytes) {
      let s = 0;
      const n = bytes.length;
      for (let i = 0; i < n; i++) {
        s = table[(s << 8) | bytes[i]!]!;
        if (s >= firstOutput) return true;
      }
      return false;
    },
  };
}

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
}
