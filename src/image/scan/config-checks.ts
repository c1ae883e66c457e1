/**
 * Misconfiguration checks of an image's config, done the way Trivy does them: the config's build
 * history (`created_by`) plus its final settings (User, Healthcheck, ExposedPorts) are turned back
 * into a Dockerfile, and the Dockerfile checks of the misconfiguration scanner
 * (src/scanners/misconfig/dockerfile) run on it. Findings carry the misconfiguration rule ids
 * (`misconfig/docker-root-user`, `misconfig/docker-no-healthcheck`…, Trivy's DS ids as equivalents)
 * and point at the image (resource) and the history entry (`properties.historyIndex`). Pure.
 *
 * The reconstruction follows Trivy's image-config analyzer: the base image's history is skipped
 * (everything up to its last `CMD`, found by `baseImageIndex`); legacy-builder `/bin/sh -c #(nop) X`
 * entries become `X`, `/bin/sh -c cmd` and BuildKit's `RUN /bin/sh -c cmd # buildkit` become
 * `RUN cmd`; ENV values are re-quoted. USER, HEALTHCHECK and EXPOSE come from the final config rather
 * than the history (the config is what a container gets). The multiple-CMD/ENTRYPOINT checks are
 * not run (the history legitimately repeats them), as in Trivy (DS007, DS016).
 */
import type { Finding, RuleDescriptor } from '../../core/finding.js';
import { fingerprintOf } from '../../core/fingerprint.js';
import { describeCheck, type CheckMeta } from '../../scanners/misconfig/check.js';
import { dockerfileChecks } from '../../scanners/misconfig/dockerfile/checks.js';
import { scanDockerfile } from '../../scanners/misconfig/dockerfile/index.js';
import type { Healthcheck, HistoryEntry, ImageConfig } from '../read/index.js';

export const ROOT_USER_RULE = 'misconfig/docker-root-user';
export const NO_HEALTHCHECK_RULE = 'misconfig/docker-no-healthcheck';

/** Checks that make no sense on a history (repeated CMD/ENTRYPOINT are normal there). */
const NOT_ON_HISTORY = new Set(['docker-multiple-cmd', 'docker-multiple-entrypoint']);
const CHECKS: readonly CheckMeta[] = dockerfileChecks.filter((c) => !NOT_ON_HISTORY.has(c.id));
const META = new Map(CHECKS.map((c) => [c.id, c]));

/** Rule descriptors of every check run on image configs (scanner `image`). */
export const configRules: RuleDescriptor[] = CHECKS.map((c) => ({ ...describeCheck(c), scanner: 'image' }));

/** The Dockerfile keywords kept from history entries written without the legacy `/bin/sh -c` wrapper. */
const KEPT = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'VOLUME',
  'WORKDIR',
]);
/** Taken from the final config instead of the history. */
const FROM_CONFIG = new Set(['USER', 'HEALTHCHECK', 'EXPOSE']);

/**
 * Index of the last history entry of the base image, or -1 (Trivy's heuristic): skipping the empty
 * (metadata-only) entries at the end, the base image ends at the last empty-layer `CMD` entry above.
 */
export function baseImageIndex(history: readonly HistoryEntry[]): number {
  let seenLayer = false;
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i]!;
    if (!seenLayer) {
      if (h.emptyLayer) continue;
      seenLayer = true;
    }
    if (!h.emptyLayer) continue;
    const by = h.createdBy ?? '';
    if (by.startsWith('/bin/sh -c #(nop)  CMD') || by.startsWith('CMD')) return i;
  }
  return -1;
}

const SH = '/bin/sh -c';

function runOf(s: string): string {
  const at = s.indexOf(SH);
  const cmd = at < 0 ? s.replace(/^RUN\s+/, '') : s.slice(at + SH.length);
  // Newlines separate commands (heredocs): keep them separate on one Dockerfile line.
  return `RUN ${cmd.trim().replace(/\s*\r?\n\s*/g, '; ')}`;
}

function envOf(s: string): string {
  const eq = s.indexOf('=');
  if (eq < 0) return s;
  return `${s.slice(0, eq)}=${JSON.stringify(s.slice(eq + 1))}`;
}

/** One history entry as a Dockerfile line, or undefined when it is nothing the checks use. */
export function instructionOf(createdBy: string): string | undefined {
  let s = createdBy.trim();
  if (s === '') return undefined;
  if (s.startsWith(`${SH} #(nop)`)) {
    // `ADD file:<sha> in /`: a root filesystem tarball (the base of `FROM scratch` images); the
    // builder dropped its name, so nothing about it can be checked.
    if (/^ADD (?:file|dir):\S+ in \/\s*$/.test(s.slice(`${SH} #(nop)`.length).trim())) return undefined;
    s = s
      .slice(`${SH} #(nop)`.length)
      .trim()
      // Legacy builder: `COPY file:<sha> in /app` is `COPY <source> /app`.
      .replace(/\b((?:file|dir):\S+) in /, '$1 ');
  } else if (s.startsWith(SH)) {
    return runOf(s);
  } else if (s.endsWith('# buildkit')) {
    s = s.slice(0, -'# buildkit'.length).trim();
    if (s.startsWith('RUN') && s.includes(SH)) return runOf(s);
  }
  // BuildKit/Buildah metadata suffixes such as `|unsetLabel=true`.
  s = s.replace(/\|[a-zA-Z0-9_-]+=[^ \t]+/g, '').trim();
  const keyword = (/^([A-Za-z]+)\b/.exec(s)?.[1] ?? '').toUpperCase();
  if (!KEPT.has(keyword)) return undefined;
  const line = s.replace(/\s*\r?\n\s*/g, keyword === 'RUN' ? '; ' : ' ');
  return keyword === 'ENV' ? envOf(line) : line;
}

function healthcheckOf(hc: Healthcheck | undefined): string | undefined {
  const [kind, ...args] = hc?.test ?? [];
  if (!kind || kind === 'NONE') return undefined;
  if (kind === 'CMD-SHELL') return `HEALTHCHECK CMD ${args.join(' ')}`;
  if (kind === 'CMD') return `HEALTHCHECK CMD ${JSON.stringify(args)}`;
  return undefined;
}

export interface ReconstructedDockerfile {
  text: string;
  /** For each line (0-based), the history entry it came from; undefined for config-derived lines. */
  historyIndex: (number | undefined)[];
}

/** The Dockerfile an image config describes (see the module comment). */
export function imageConfigToDockerfile(config: ImageConfig): ReconstructedDockerfile {
  const lines = ['FROM scratch'];
  const historyIndex: (number | undefined)[] = [undefined];
  const push = (line: string, from?: number) => {
    lines.push(line);
    historyIndex.push(from);
  };
  const history = config.history;
  for (let i = baseImageIndex(history) + 1; i < history.length; i++) {
    const line = instructionOf(history[i]!.createdBy ?? '');
    if (line && !FROM_CONFIG.has(line.split(/\s/, 1)[0]!.toUpperCase())) push(line, i);
  }
  const ports = config.exposedPorts.filter((p) => /^[\w./-]+$/.test(p));
  if (ports.length) push(`EXPOSE ${ports.join(' ')}`);
  const hc = healthcheckOf(config.healthcheck);
  if (hc) push(hc);
  const user = (config.user ?? '').trim();
  if (user) push(`USER ${user.replace(/\s+/g, '')}`);
  return { text: `${lines.join('\n')}\n`, historyIndex };
}

function messageFor(checkId: string, fallback: string, config: ImageConfig): string {
  const user = (config.user ?? '').trim();
  if (checkId === 'docker-root-user')
    return user ? `the image runs as USER ${user}` : 'the image sets no USER: it runs as root';
  if (checkId === 'docker-no-healthcheck')
    return config.healthcheck?.test[0] === 'NONE'
      ? 'HEALTHCHECK is disabled (NONE)'
      : 'no HEALTHCHECK in the image config';
  return `${fallback} (image build history)`;
}

/** The Dockerfile misconfiguration checks run on the image config's reconstructed Dockerfile. */
export function checkImageConfig(config: ImageConfig, image: string): Finding[] {
  const df = imageConfigToDockerfile(config);
  const { violations } = scanDockerfile(df.text);
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const v of violations) {
    const meta = META.get(v.checkId);
    if (!meta) continue;
    const ruleId = `misconfig/${meta.id}`;
    const key = `${ruleId}\0${v.subject}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const from = df.historyIndex[v.startLine - 1];
    out.push({
      scanner: 'image',
      ruleId,
      title: meta.title,
      // Check messages name the instruction and key, never values: safe to show.
      message: messageFor(meta.id, v.message, config),
      severity: meta.severity,
      confidence: 'high',
      resource: { kind: 'Image', name: image },
      fingerprint: fingerprintOf('image-config', ruleId, image, v.subject),
      remediation: meta.remediation,
      references: meta.references,
      cwe: meta.cwe ?? [],
      ...(meta.equivalents
        ? { equivalents: Object.fromEntries(Object.entries(meta.equivalents).map(([k, l]) => [k, [...l]])) }
        : {}),
      tags: ['misconfig', 'image-config', ...(meta.standards ?? [])],
      ...(from !== undefined ? { properties: { historyIndex: from } } : {}),
    });
  }
  return out;
}
