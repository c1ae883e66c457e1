/**
 * The uploads of the ingest bench: `files` SARIF logs of `findingsPerFile` CodeQL-shaped results
 * each (src/server/__fixtures__/sarif.ts `manyResults`: 40 rules, 97 files, ~1/7 errors, ~1/11
 * security-severity 9.1), spread over `projects` projects with one branch per upload, so every upload
 * is the first scan of its (project, branch, tool) stream: all its findings are created (the
 * write-heaviest path: findings + one history event each) and none is marked fixed. Fingerprints
 * are distinct in every file (`<seed>:<i>`).
 */
import { manyResults } from '../../src/server/__fixtures__/sarif.js';

export interface BenchUpload {
  index: number;
  projectIndex: number;
  branch: string;
  body: Buffer;
}

export interface CorpusShape {
  files: number;
  findingsPerFile: number;
  projects: number;
}

/** Upload i goes to project i mod P on branch `feature/<i div P>`: consecutive uploads hit different projects. */
export function uploadCoordinates(index: number, projects: number): { projectIndex: number; branch: string } {
  return { projectIndex: index % projects, branch: `feature/${Math.floor(index / projects)}` };
}

export function buildCorpus(shape: CorpusShape): BenchUpload[] {
  const uploads: BenchUpload[] = [];
  for (let index = 0; index < shape.files; index++) {
    const { projectIndex, branch } = uploadCoordinates(index, shape.projects);
    const seed = `p${projectIndex}-${branch.replace('/', '-')}`;
    uploads.push({
      index,
      projectIndex,
      branch,
      body: Buffer.from(manyResults(shape.findingsPerFile, seed), 'utf8'),
    });
  }
  return uploads;
}
