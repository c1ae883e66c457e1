/**
 * The real {@link ScanFn}: pull the pushed image by digest (verified, cached), write a temporary OCI
 * layout, run the image scanner, and build the JSON report (a Rampart ScanReport plus an `image`
 * block with the digests, the OS, the package count and the base image record for drift checks).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ScanReport } from '../../core/report.js';
import {
  RegistryClient,
  parseReference,
  pullImage,
  writeOciLayout,
  type RegistryClientOptions,
} from '../registry/index.js';
import { scanImage, type ImageScannerKind } from '../scan/index.js';
import { baseFromAnnotations, type BaseRecord } from './drift.js';
import type { ScanJob } from './envelope.js';
import type { ScanFn } from './listener.js';

export interface ScanJobOptions extends RegistryClientOptions {
  scanners: readonly ImageScannerKind[];
  toolVersion: string;
  dbDir?: string;
  cacheDir?: string;
}

export interface ListenReport extends ScanReport {
  image: {
    reference: string;
    repository: string;
    tag?: string;
    digest: string;
    manifestDigest: string;
    configDigest: string;
    os?: string;
    packages: number;
    layers: number;
    base?: BaseRecord;
    event?: { id?: string; timestamp?: string };
  };
}

/** The base record: annotated digest, else what the annotated base tag resolves to right now. */
async function recordBase(
  annotations: Record<string, string> | undefined,
  opts: RegistryClientOptions,
): Promise<BaseRecord | undefined> {
  const base = baseFromAnnotations(annotations);
  if (!base || base.digest) return base;
  try {
    const r = parseReference(base.name);
    const client = await RegistryClient.create(r.registry, opts);
    const digest = (await client.headManifest(r.repository, r.tag ?? 'latest'))?.digest;
    return digest ? { name: base.name, digest, source: 'resolved' } : base;
  } catch {
    return base;
  }
}

export function registryScanFn(opts: ScanJobOptions): ScanFn {
  const { scanners, toolVersion, dbDir, cacheDir, ...client } = opts;
  return async (job: ScanJob): Promise<ListenReport> => {
    const startedAt = new Date();
    const dir = mkdtempSync(path.join(tmpdir(), 'rampart-listen-'));
    try {
      const pulled = await pullImage(job.reference, { ...client, ...(cacheDir ? { cacheDir } : {}) });
      await writeOciLayout(pulled, dir, 'pulled');
      const warnings: string[] = [];
      const result = await scanImage(dir, {
        scanners,
        tag: 'pulled',
        name: job.reference,
        ...(dbDir ? { dbDir } : {}),
        warn: (m) => warnings.push(m),
      });
      const base = await recordBase(pulled.manifest.annotations, client);
      return {
        schemaVersion: '1',
        tool: { name: 'rampart', version: toolVersion },
        target: `image:${job.reference}`,
        mode: 'path',
        scanners: ['image'],
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        findings: result.findings,
        rules: result.rules.filter((r) => result.findings.some((f) => f.ruleId === r.id)),
        stats: {
          filesScanned: result.filesScanned,
          bytesScanned: result.bytesScanned,
          filesSkipped: {},
          warnings: warnings.length,
          suppressed: 0,
        },
        skipped: [],
        warnings: warnings.slice(0, 100),
        image: {
          reference: job.reference,
          repository: job.repository,
          ...(job.tag !== undefined ? { tag: job.tag } : {}),
          digest: job.digest,
          manifestDigest: pulled.manifestDigest,
          configDigest: pulled.configDigest,
          ...(result.os ? { os: result.os.prettyName ?? result.os.osvEcosystem ?? '' } : {}),
          packages: result.components.length,
          layers: result.image.layers.length,
          ...(base ? { base } : {}),
          event: {
            ...(job.eventId !== undefined ? { id: job.eventId } : {}),
            ...(job.timestamp !== undefined ? { timestamp: job.timestamp } : {}),
          },
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
