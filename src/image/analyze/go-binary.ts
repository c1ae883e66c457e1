/**
 * Go binaries' embedded build information (what `go version -m` prints). Layout, from the Go source
 * (`debug/buildinfo`): a 32-byte header starting with the 14-byte magic `\xff Go buildinf:`, then
 * the pointer size (byte 14) and flags (byte 15). With flag bit 2 set (Go >= 1.18) two
 * varint-length-prefixed strings follow the header: the Go version and the module info, the latter
 * wrapped in 16-byte sentinels, holding tab-separated lines `path`, `mod`, `dep`, `=>` (replacement
 * of the line before) and `build`. Older binaries keep pointers into the data segment instead: not
 * read here (reported as a problem).
 */
import { purlOf } from '../../deps/purl.js';
import { FileIndex, MiB } from './files.js';
import { dedupeIds } from './node.js';
import type { AnalyzeProblem, AnalyzerOutput, ImageComponent } from './types.js';

export const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const FLAG_INLINE = 0x2;
const MAX_BINARY = 512 * MiB;
const MAX_STRING = 4 * MiB;
const EXECUTABLE_MAGIC = [
  Buffer.from('\x7fELF', 'latin1'),
  Buffer.from('MZ', 'latin1'),
  Buffer.from([0xcf, 0xfa, 0xed, 0xfe]),
];
const BIN_DIR = /(?:^|\/)s?bin\//;

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: GoModule;
}

export interface GoBuildInfo {
  goVersion: string;
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  settings: [string, string][];
}

function uvarint(buf: Buffer, at: number): [number, number] | undefined {
  let value = 0;
  let shift = 0;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const b = buf[i] ?? 0;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, i + 1];
    shift += 7;
  }
  return undefined;
}

function lengthPrefixed(buf: Buffer, at: number): [Buffer, number] | undefined {
  const v = uvarint(buf, at);
  if (!v) return undefined;
  const [len, start] = v;
  if (len > MAX_STRING || start + len > buf.length) return undefined;
  return [buf.subarray(start, start + len), start + len];
}

/** Parses the module-info text (sentinels already removed). */
export function parseModInfo(goVersion: string, modinfo: string): GoBuildInfo {
  const info: GoBuildInfo = { goVersion, deps: [], settings: [] };
  let last: GoModule | undefined;
  const mod = (f: string[]): GoModule => {
    const m: GoModule = { path: f[1] ?? '', version: f[2] ?? '' };
    if (f[3]) m.sum = f[3];
    return m;
  };
  for (const line of modinfo.split('\n')) {
    const f = line.split('\t');
    switch (f[0]) {
      case 'path':
        info.path = f[1];
        break;
      case 'mod':
        last = info.main = mod(f);
        break;
      case 'dep':
        last = mod(f);
        info.deps.push(last);
        break;
      case '=>':
        if (last) last.replace = mod(f);
        break;
      case 'build': {
        const kv = f.slice(1).join('\t');
        const eq = kv.indexOf('=');
        if (eq > 0) info.settings.push([kv.slice(0, eq), kv.slice(eq + 1)]);
        break;
      }
      default:
        break;
    }
  }
  return info;
}

/**
 * The build info of a binary's bytes: undefined when it carries none; a string (the reason) when it
 * carries one in a form not read here.
 */
export function readGoBuildInfo(buf: Buffer): GoBuildInfo | string | undefined {
  let old = false;
  let at = buf.indexOf(BUILDINFO_MAGIC);
  // The magic may also occur as a literal (e.g. in the go tool itself): keep looking until a header parses.
  while (at >= 0) {
    const ptrSize = buf[at + 14];
    const flags = buf[at + 15] ?? 0;
    if (at + 32 <= buf.length && (flags & FLAG_INLINE) === 0 && (ptrSize === 4 || ptrSize === 8)) old = true;
    else if (at + 32 <= buf.length) {
      const version = lengthPrefixed(buf, at + 32);
      const mod = version ? lengthPrefixed(buf, version[1]) : undefined;
      const toolchain = version?.[0].toString('utf8');
      if (mod && toolchain?.startsWith('go')) {
        let body = mod[0];
        // 16-byte sentinels either side; the text before the end sentinel ends with a newline.
        if (body.length >= 33 && body[body.length - 17] === 0x0a) body = body.subarray(16, body.length - 16);
        return parseModInfo(toolchain, body.toString('utf8'));
      }
    }
    at = buf.indexOf(BUILDINFO_MAGIC, at + 1);
  }
  return old ? 'Go build info from before Go 1.18 (pointer format) is not read' : undefined;
}

function goVersion(v: string): string {
  return v.startsWith('v') ? v.slice(1) : v;
}

/** Components of one binary's build info: the Go standard library, the main module (own) and deps. */
export function goComponents(path: string, info: GoBuildInfo): ImageComponent[] {
  const out: ImageComponent[] = [];
  const add = (name: string, version: string, extra: Partial<ImageComponent>): void => {
    const purl = purlOf('Go', name, version);
    out.push({
      ecosystem: 'Go',
      name,
      version,
      purl,
      id: purl,
      location: { path },
      packager: 'go',
      ...extra,
    });
  };
  const std = /^go(\d+(?:\.\d+)*)/.exec(info.goVersion)?.[1];
  if (std) add('stdlib', std, { direct: true });
  if (info.main?.path && info.main.version && info.main.version !== '(devel)')
    add(info.main.path, goVersion(info.main.version), { own: true });
  for (const d of info.deps) {
    // A replacement by a local directory has no version: the original requirement is what we know.
    const m = d.replace?.version ? d.replace : d;
    if (m.path && m.version) add(m.path, goVersion(m.version), {});
  }
  return out;
}

function looksExecutable(files: FileIndex, path: string): boolean {
  const mode = files.mode(path);
  if (mode !== undefined) return (mode & 0o111) !== 0;
  return BIN_DIR.test(path);
}

export function analyzeGoBinaries(files: FileIndex): AnalyzerOutput {
  const components: ImageComponent[] = [];
  const problems: AnalyzeProblem[] = [];
  for (const path of files.paths) {
    if (!looksExecutable(files, path)) continue;
    const data = files.read(path, MAX_BINARY);
    if (!data || !EXECUTABLE_MAGIC.some((m) => data.subarray(0, m.length).equals(m))) continue;
    const info = readGoBuildInfo(data);
    if (info === undefined) continue;
    if (typeof info === 'string') {
      problems.push({ path, message: info });
      continue;
    }
    const found = goComponents(path, info);
    dedupeIds(found);
    components.push(...found);
  }
  dedupeIds(components);
  return { components, problems };
}
