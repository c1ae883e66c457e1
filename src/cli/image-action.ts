import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RampartError } from '../core/errors.js';
import type { ScanReport } from '../core/report.js';
import { parseSeverityList, SEVERITIES } from '../core/severity.js';
import { parseExitCode } from '../config/values.js';
import { scanImage, type ImageScannerKind } from '../image/scan/index.js';
import { renderReport } from '../report/index.js';
import { toCycloneDx } from '../sbom/cyclonedx.js';
import { toSpdx } from '../sbom/spdx.js';
import type { ImageFlags } from './commands/image.js';
import { rampartVersion } from './version.js';
import { writeAtomically } from './write-output.js';

const KINDS: readonly ImageScannerKind[] = ['vuln', 'secret', 'config'];

export async function executeImage(target: string, flags: ImageFlags): Promise<number> {
  const sbom = flags.format === 'cyclonedx' || flags.format === 'spdx';
  const scanners = sbom
    ? []
    : flags.scanners
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => {
          if (!(KINDS as readonly string[]).includes(s))
            throw new RampartError('USAGE', `--scanners: unknown "${s}" (expected ${KINDS.join(', ')})`);
          return s as ImageScannerKind;
        });
  let exitCode = 0;
  try {
    exitCode = flags.exitCode === undefined ? 0 : parseExitCode(flags.exitCode);
  } catch (err) {
    throw new RampartError('USAGE', `--exit-code: ${(err as Error).message}`);
  }
  const warnings: string[] = [];
  const startedAt = new Date();
  // A path that exists is a docker-archive or OCI layout; anything else is a registry reference,
  // pulled (digest-verified, cached) into a temporary OCI layout.
  const local = existsSync(target);
  let dir: string | undefined;
  let source = path.resolve(target);
  let tag = flags.tag;
  if (!local) {
    const { pullImage, writeOciLayout, isRegistryError } = await import('../image/registry/index.js');
    dir = mkdtempSync(path.join(tmpdir(), 'rampart-image-'));
    try {
      const pulled = await pullImage(target, { ...(flags.insecure ? { insecure: true } : {}) });
      await writeOciLayout(pulled, dir, 'pulled');
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      if (isRegistryError(err)) throw new RampartError('PATH_UNREADABLE', `${target}: ${err.message}`);
      throw err;
    }
    source = dir;
    tag = 'pulled';
  }
  let result;
  try {
    result = await scanImage(source, {
      scanners,
      ...(tag ? { tag } : {}),
      ...(local ? {} : { name: target }),
      ...(flags.dbDir ? { dbDir: path.resolve(flags.dbDir) } : {}),
      warn: (m) => warnings.push(m),
    });
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  let text: string;
  if (sbom) {
    const input = { target: result.name, toolVersion: rampartVersion(), components: result.components };
    text = `${JSON.stringify(flags.format === 'spdx' ? toSpdx(input) : toCycloneDx(input), null, 2)}\n`;
  } else {
    const severities = new Set(flags.severity ? parseSeverityList(flags.severity) : SEVERITIES);
    const findings = result.findings.filter((f) => severities.has(f.severity));
    const report: ScanReport = {
      schemaVersion: '1',
      tool: { name: 'rampart', version: rampartVersion() },
      target: `image:${result.name}`,
      mode: 'path',
      scanners: ['image'],
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      findings,
      rules: result.rules.filter((r) => findings.some((f) => f.ruleId === r.id)),
      stats: {
        filesScanned: result.filesScanned,
        bytesScanned: result.bytesScanned,
        filesSkipped: {},
        warnings: warnings.length,
        suppressed: 0,
      },
      skipped: [],
      warnings,
    };
    const color = !flags.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
    const head =
      flags.format === 'table'
        ? `${result.name}: ${result.os ? `${result.os.prettyName ?? result.os.osvEcosystem ?? ''}, ` : ''}${result.image.layers.length} layer(s), ${result.components.length} package(s)\n\n`
        : '';
    text =
      head +
      renderReport(report, flags.format as 'table' | 'json' | 'sarif' | 'junit', {
        color,
        srcRoot: process.cwd(),
      });
    if (!findings.length) exitCode = 0;
  }
  for (const w of warnings.slice(0, 20)) process.stderr.write(`rampart: warning: ${w}\n`);
  if (flags.output) writeAtomically(flags.output, text);
  else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return sbom ? 0 : exitCode;
}
