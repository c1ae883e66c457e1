/**
 * The control plane's schema, in order. Each entry runs once, in its own transaction, and is
 * recorded in schema_migrations with a checksum of its SQL: never edit an applied migration, add
 * the next one. Migrations are TypeScript modules (not .sql files) so `tsc` ships them in dist/.
 */
import type { Migration } from '../migrate.js';
import { sql as jobs } from './001_jobs.js';
import { domainMigration } from './002_domain.js';
import { deploymentsMigration } from './003_deployments.js';
import { statsMigration } from './004_stats.js';

export const migrations: readonly Migration[] = [
  { id: '001_jobs', sql: jobs },
  domainMigration,
  deploymentsMigration,
  statsMigration,
];
