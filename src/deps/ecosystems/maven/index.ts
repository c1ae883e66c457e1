import type { LockfileParser } from '../../model.js';
import { gradleLockfileParser } from './gradle-lockfile.js';
import { pomParser } from './pom.js';

/** Java ecosystem formats: Maven pom.xml and Gradle lockfiles (both 'Maven' in OSV). */
export const mavenParsers: LockfileParser[] = [pomParser, gradleLockfileParser];

export { parsePom } from './pom.js';
export { parseGradleLockfile } from './gradle-lockfile.js';
