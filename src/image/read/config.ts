import { ImageError } from './errors.js';
import { isRecord } from './digest.js';

export interface HistoryEntry {
  created?: string;
  createdBy?: string;
  comment?: string;
  emptyLayer: boolean;
}

export interface Healthcheck {
  test: string[];
  interval?: number;
  timeout?: number;
  retries?: number;
}

/** The parts of the OCI / Docker image config the scanners use; `raw` keeps the rest. */
export interface ImageConfig {
  os?: string;
  architecture?: string;
  variant?: string;
  created?: string;
  author?: string;
  env: string[];
  user?: string;
  entrypoint: string[];
  cmd: string[];
  workingDir?: string;
  labels: Record<string, string>;
  exposedPorts: string[];
  healthcheck?: Healthcheck;
  history: HistoryEntry[];
  diffIds: string[];
  raw: Record<string, unknown>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function opt<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}

export function parseImageConfig(json: unknown): ImageConfig {
  if (!isRecord(json)) throw new ImageError('bad-format', 'image config is not a JSON object');
  const c = isRecord(json.config)
    ? json.config
    : isRecord(json.container_config)
      ? json.container_config
      : {};
  const rootfs = isRecord(json.rootfs) ? json.rootfs : {};
  const labels: Record<string, string> = {};
  if (isRecord(c.Labels))
    for (const [k, v] of Object.entries(c.Labels)) if (typeof v === 'string') labels[k] = v;
  const hc = isRecord(c.Healthcheck) ? c.Healthcheck : undefined;
  const history = (Array.isArray(json.history) ? json.history : [])
    .filter(isRecord)
    .map((h): HistoryEntry => ({
      ...opt('created', str(h.created)),
      ...opt('createdBy', str(h.created_by)),
      ...opt('comment', str(h.comment)),
      emptyLayer: h.empty_layer === true,
    }));
  return {
    ...opt('os', str(json.os)),
    ...opt('architecture', str(json.architecture)),
    ...opt('variant', str(json.variant)),
    ...opt('created', str(json.created)),
    ...opt('author', str(json.author)),
    env: strs(c.Env),
    ...opt('user', str(c.User)),
    entrypoint: strs(c.Entrypoint),
    cmd: strs(c.Cmd),
    ...opt('workingDir', str(c.WorkingDir)),
    labels,
    exposedPorts: isRecord(c.ExposedPorts) ? Object.keys(c.ExposedPorts) : [],
    ...opt(
      'healthcheck',
      hc && {
        test: strs(hc.Test),
        ...opt('interval', num(hc.Interval)),
        ...opt('timeout', num(hc.Timeout)),
        ...opt('retries', num(hc.Retries)),
      },
    ),
    history,
    diffIds: strs(rootfs.diff_ids),
    raw: json,
  };
}
