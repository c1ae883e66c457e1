/**
 * Breakdowns of a SARIF secret scan against `data/secrets/labels.json`, computed with the same rule as
 * the official `tools/score-secrets.py` (a case is found when the start line of a result's first
 * location lies inside its `range`). The official script prints only per-source and overall figures;
 * this mirror adds per negative type and per kind, and its overall totals are cross-checked against
 * the official output on every run.
 */
import path from 'node:path';

export interface CaseLabel {
  id: string;
  kind: string;
  label: 'secret' | 'not-secret';
  range: [number, number];
  neg_type?: string;
}

export interface Counts {
  tp: number;
  fn: number;
  fp: number;
  tn: number;
}

export interface Breakdown {
  overall: Counts;
  bySource: Map<string, Counts>;
  byNegType: Map<string, Counts>;
  byKind: Map<string, Counts>;
  /** Case ids per outcome, for listing what is missed. */
  missed: string[];
  falsePositives: string[];
}

interface SarifLike {
  runs?: {
    originalUriBaseIds?: Record<string, { uri?: string }>;
    results?: {
      locations?: {
        physicalLocation?: {
          artifactLocation?: { uri?: string; uriBaseId?: string };
          region?: { startLine?: number };
        };
      }[];
    }[];
  }[];
}

const zero = (): Counts => ({ tp: 0, fn: 0, fp: 0, tn: 0 });

function uriPath(uri: string): string {
  return decodeURIComponent(uri.startsWith('file://') ? new URL(uri).pathname : uri);
}

/**
 * Start lines of the results, keyed by the label path (`files/<kind>/<id>.<ext>`). URIs are resolved
 * like the official scorer: against their `uriBaseId`, else the files root, else its parent.
 */
export function hitsByLabelPath(
  sarif: SarifLike,
  filesRoot: string,
  exists: (p: string) => boolean,
): Map<string, number[]> {
  const hits = new Map<string, number[]>();
  const parent = path.dirname(filesRoot);
  for (const run of sarif.runs ?? []) {
    const bases = new Map<string, string>();
    for (const [k, v] of Object.entries(run.originalUriBaseIds ?? {})) bases.set(k, uriPath(v.uri ?? ''));
    for (const r of run.results ?? []) {
      const pl = r.locations?.[0]?.physicalLocation;
      if (!pl) continue;
      const al = pl.artifactLocation ?? {};
      const uri = uriPath(al.uri ?? '');
      const candidates: string[] = [];
      const base = al.uriBaseId !== undefined ? bases.get(al.uriBaseId) : undefined;
      if (base !== undefined) candidates.push(path.join(base, uri));
      candidates.push(path.isAbsolute(uri) ? uri : path.join(filesRoot, uri), path.join(parent, uri));
      const resolved = candidates.find((c) => exists(c)) ?? candidates[candidates.length - 1]!;
      const rel = path.relative(parent, path.resolve(resolved)).split(path.sep).join('/');
      const line = pl.region?.startLine ?? 0;
      const list = hits.get(rel);
      if (list) list.push(line);
      else hits.set(rel, [line]);
    }
  }
  return hits;
}

export function scoreCases(labels: Record<string, CaseLabel>, hits: Map<string, number[]>): Breakdown {
  const b: Breakdown = {
    overall: zero(),
    bySource: new Map(),
    byNegType: new Map(),
    byKind: new Map(),
    missed: [],
    falsePositives: [],
  };
  const bump = (m: Map<string, Counts>, key: string, field: keyof Counts) => {
    let c = m.get(key);
    if (!c) m.set(key, (c = zero()));
    c[field]++;
  };
  for (const [file, lab] of Object.entries(labels)) {
    const [lo, hi] = lab.range;
    const found = (hits.get(file) ?? []).some((l) => l >= lo && l <= hi);
    const field: keyof Counts = lab.label === 'secret' ? (found ? 'tp' : 'fn') : found ? 'fp' : 'tn';
    b.overall[field]++;
    bump(b.bySource, lab.id.split('-')[0]!, field);
    bump(b.byKind, lab.kind, field);
    if (lab.label !== 'secret') bump(b.byNegType, lab.neg_type ?? 'unknown', field);
    if (field === 'fn') b.missed.push(lab.id);
    if (field === 'fp') b.falsePositives.push(lab.id);
  }
  return b;
}

export function recall(c: Counts): number | undefined {
  return c.tp + c.fn ? c.tp / (c.tp + c.fn) : undefined;
}

export function precision(c: Counts): number | undefined {
  return c.tp + c.fp ? c.tp / (c.tp + c.fp) : undefined;
}

export function f1(c: Counts): number | undefined {
  const r = recall(c);
  const p = precision(c);
  return r !== undefined && p !== undefined && r + p > 0 ? (2 * r * p) / (r + p) : undefined;
}

export function fpRate(c: Counts): number | undefined {
  return c.fp + c.tn ? c.fp / (c.fp + c.tn) : undefined;
}

/** The figures `score-secrets.py` prints: one line per source, then the overall line. */
export interface OfficialScore {
  bySource: Map<string, Counts>;
  overall: Counts;
  recall: number;
  precision: number;
}

export function parseOfficialOutput(stdout: string): OfficialScore | undefined {
  const bySource = new Map<string, Counts>();
  let overall: OfficialScore | undefined;
  for (const line of stdout.split('\n')) {
    const src = /^(\w+): recall=\S+ precision=\S+ \(tp=(\d+) fn=(\d+) fp=(\d+) tn=(\d+)\)$/.exec(line.trim());
    if (src) {
      bySource.set(src[1]!, { tp: +src[2]!, fn: +src[3]!, fp: +src[4]!, tn: +src[5]! });
      continue;
    }
    const all = /^recall=([\d.]+) precision=([\d.]+) tp=(\d+) fn=(\d+) fp=(\d+) tn=(\d+)$/.exec(line.trim());
    if (all) {
      overall = {
        bySource,
        recall: +all[1]!,
        precision: +all[2]!,
        overall: { tp: +all[3]!, fn: +all[4]!, fp: +all[5]!, tn: +all[6]! },
      };
    }
  }
  return overall;
}
