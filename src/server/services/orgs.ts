import type { Queryable } from '../db/types.js';

/** The organisation projects land in when none is named; created on first use. */
export async function defaultOrgId(q: Queryable): Promise<string> {
  await q.query("INSERT INTO orgs (name) VALUES ('default') ON CONFLICT (name) DO NOTHING");
  const r = await q.query<{ id: string }>("SELECT id FROM orgs WHERE name = 'default'");
  return r.rows[0]!.id;
}
