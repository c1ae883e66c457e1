/**
 * What is inside an image: the OS (os-release), OS packages (dpkg, apk, rpm) and language packages
 * installed in it (node_modules, Python metadata, JARs' pom.properties, Go build info). Every
 * analyzer is a pure function over the merged root filesystem's files (`ImageFiles`); only the rpm
 * one is async (sql.js initialises a wasm module).
 */
import { analyzeApk } from './apk.js';
import { analyzeDpkg } from './dpkg.js';
import { FileIndex } from './files.js';
import { analyzeGoBinaries } from './go-binary.js';
import { analyzeJars } from './jar.js';
import { analyzeNode } from './node.js';
import { detectOs } from './os-release.js';
import { analyzePython } from './python.js';
import { analyzeRpm } from './rpm.js';
import type { AnalyzeProblem, ImageComponent, ImageFiles, OsInfo, Packager } from './types.js';

export type {
  AdvisoryKey,
  AnalyzeProblem,
  AnalyzerOutput,
  ImageComponent,
  ImageFiles,
  OsInfo,
  Packager,
} from './types.js';
export { detectOs, osvEcosystemOf, parseOsRelease } from './os-release.js';
export { parseDpkgStatus } from './dpkg.js';
export { parseApkInstalled } from './apk.js';
export { readRpmdbSqlite, rpmComponents } from './rpm.js';
export { parseRpmHeader } from './rpm-header.js';
export { parsePackageJson } from './node.js';
export { parsePythonMetadata } from './python.js';
export { parseJar } from './jar.js';
export { goComponents, readGoBuildInfo } from './go-binary.js';
export { FileIndex, normalisePath } from './files.js';

export interface ImageInventory {
  os?: OsInfo;
  components: ImageComponent[];
  problems: AnalyzeProblem[];
}

export interface AnalyzeOptions {
  /** Analyzers to run (default: all). */
  packagers?: readonly Packager[];
}

/** Runs every analyzer over the image's files. Problems with single files are collected, never thrown. */
export async function analyzeImage(files: ImageFiles, options: AnalyzeOptions = {}): Promise<ImageInventory> {
  const index = new FileIndex(files);
  const on = (p: Packager): boolean => !options.packagers || options.packagers.includes(p);
  const os = detectOs(index);
  const components: ImageComponent[] = [];
  const problems: AnalyzeProblem[] = [];
  const take = (out: { components: ImageComponent[]; problems: AnalyzeProblem[] }): void => {
    components.push(...out.components);
    problems.push(...out.problems);
  };
  if (on('dpkg')) take(analyzeDpkg(index, os));
  if (on('apk')) take(analyzeApk(index, os));
  if (on('rpm')) take(await analyzeRpm(index, os));
  if (on('node')) take(analyzeNode(index));
  if (on('python')) take(analyzePython(index));
  if (on('jar')) take(analyzeJars(index));
  if (on('go')) take(analyzeGoBinaries(index));
  const inventory: ImageInventory = { components, problems };
  if (os) inventory.os = os;
  return inventory;
}
