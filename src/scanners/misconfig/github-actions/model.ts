import { asArray, asString, isRecord, type Json, type Path } from '../kubernetes/parse.js';
import type { YamlDoc } from './parse.js';

export interface Step {
  path: Path;
  index: number;
  value: { [k: string]: Json };
  uses?: string;
  run?: string;
  with: { [k: string]: Json };
}

export interface Job {
  id: string;
  path: Path;
  value: { [k: string]: Json };
  steps: Step[];
  /** `uses:` of a job that calls a reusable workflow. */
  uses?: string;
}

/** A workflow or an action metadata file, reduced to what the checks read. */
export interface GhaModel {
  kind: 'workflow' | 'action';
  doc: YamlDoc;
  /** Path of the `on` mapping (`['on']`, or `['true']` when a YAML 1.1 reader turned `on` into a boolean). */
  onPath: Path;
  /** Event names, lower case. */
  triggers: Set<string>;
  /** Workflow jobs; an action gets one pseudo-job (`id` `(action)`) holding `runs.steps`. */
  jobs: Job[];
  /**
   * Declared inputs (workflow_dispatch, workflow_call, or the action's `inputs`), lower-case name →
   * declared `type` (undefined when untyped).
   */
  inputs: Map<string, string | undefined>;
}

function stepsOf(v: Json | undefined, path: Path): Step[] {
  return asArray(v).flatMap((s, index) => {
    if (!isRecord(s)) return [];
    const uses = asString(s['uses']);
    const run = asString(s['run']);
    return [
      {
        path: [...path, index],
        index,
        value: s,
        ...(uses !== undefined ? { uses: uses.trim() } : {}),
        ...(run !== undefined ? { run } : {}),
        with: isRecord(s['with']) ? s['with'] : {},
      },
    ];
  });
}

/** Input types whose value is constrained (not free text). */
export const CONSTRAINED_TYPES = new Set(['boolean', 'number', 'choice', 'environment']);

function addInputs(into: Map<string, string | undefined>, v: Json | undefined): void {
  if (!isRecord(v)) return;
  for (const [name, spec] of Object.entries(v)) {
    const key = name.toLowerCase();
    const type = isRecord(spec) ? asString(spec['type'])?.toLowerCase() : undefined;
    // Declared by both workflow_dispatch and workflow_call: the free-text declaration wins.
    if (into.has(key) && !CONSTRAINED_TYPES.has(into.get(key) ?? '')) continue;
    into.set(key, type);
  }
}

/** Recognises a workflow (`on` + `jobs` mapping) or an action (`runs` mapping); anything else: undefined. */
export function modelOf(doc: YamlDoc): GhaModel | undefined {
  const root = doc.value;
  if (!isRecord(root)) return undefined;
  const onKey = 'on' in root ? 'on' : 'true' in root ? 'true' : undefined;
  if (onKey && isRecord(root['jobs'])) {
    const on = root[onKey];
    const triggers = new Set<string>();
    const names =
      typeof on === 'string'
        ? [on]
        : Array.isArray(on)
          ? on.map((x) => asString(x) ?? '')
          : Object.keys(isRecord(on) ? on : {});
    for (const n of names) if (n) triggers.add(n.trim().toLowerCase());
    const inputs = new Map<string, string | undefined>();
    if (isRecord(on)) {
      for (const ev of ['workflow_dispatch', 'workflow_call']) {
        const spec = on[ev];
        if (isRecord(spec)) addInputs(inputs, spec['inputs']);
      }
    }
    const jobs: Job[] = Object.entries(root['jobs']).flatMap(([id, j]) => {
      if (!isRecord(j)) return [];
      const path: Path = ['jobs', id];
      const uses = asString(j['uses']);
      return [
        {
          id,
          path,
          value: j,
          steps: stepsOf(j['steps'], [...path, 'steps']),
          ...(uses ? { uses: uses.trim() } : {}),
        },
      ];
    });
    return { kind: 'workflow', doc, onPath: [onKey], triggers, jobs, inputs };
  }
  const runs = root['runs'];
  if (isRecord(runs)) {
    const inputs = new Map<string, string | undefined>();
    addInputs(inputs, root['inputs']);
    const job: Job = {
      id: '(action)',
      path: ['runs'],
      value: runs,
      steps: stepsOf(runs['steps'], ['runs', 'steps']),
    };
    return { kind: 'action', doc, onPath: [], triggers: new Set(), jobs: [job], inputs };
  }
  return undefined;
}

/** `owner/repo[/path]@ref` of a step or job `uses:`, lower-cased owner/repo, or the other kinds. */
export type UsesRef =
  | { kind: 'local' }
  | { kind: 'expression' }
  | { kind: 'docker'; image: string; pinned: boolean }
  | { kind: 'action'; owner: string; repo: string; name: string; ref?: string; pinned: boolean };

export function parseUses(uses: string): UsesRef {
  const u = uses.trim();
  if (u.startsWith('./') || u.startsWith('.\\') || u === '.') return { kind: 'local' };
  if (u.includes('${{')) return { kind: 'expression' };
  if (/^docker:\/\//i.test(u)) {
    const image = u.slice('docker://'.length);
    return { kind: 'docker', image, pinned: /@sha256:[0-9a-f]{64}$/i.test(image) };
  }
  const at = u.lastIndexOf('@');
  const name = at >= 0 ? u.slice(0, at) : u;
  const ref = at >= 0 ? u.slice(at + 1) : undefined;
  const [owner = '', repo = ''] = name.split('/');
  return {
    kind: 'action',
    owner: owner.toLowerCase(),
    repo: repo.toLowerCase(),
    name: name.toLowerCase(),
    ...(ref !== undefined ? { ref } : {}),
    pinned: ref !== undefined && /^[0-9a-f]{40}$/i.test(ref),
  };
}

/** Does the step use `owner/repo[/path]` (any ref)? `name` lower case. */
export function stepUses(step: Step, name: string): boolean {
  const u = step.uses ? parseUses(step.uses) : undefined;
  return u?.kind === 'action' && u.name === name;
}
