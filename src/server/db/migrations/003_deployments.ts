/**
 * Deployments through gates: one row per `rampart gate` request (project, environment, artifact),
 * with the gate results and the facts they were evaluated on, the environment's approval rule as it
 * was when the request came in, every approver's decision, and every status transition.
 *
 * status: pending-approval → approved | rejected; a request whose gates fail is rejected at once; a
 * newer request for the same project and environment rejects older pending ones (superseded).
 */
export const deploymentsMigration = {
  id: '003_deployments',
  sql: `
CREATE TABLE deployments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  environment_id uuid NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  -- NULL when the requested artifact was not registered in the project (rejected)
  artifact_id uuid REFERENCES artifacts(id) ON DELETE SET NULL,
  artifact_name text NOT NULL,
  artifact_digest text NOT NULL,
  branch text,
  status text NOT NULL CHECK (status IN ('pending-approval', 'approved', 'rejected')),
  gates jsonb NOT NULL,
  facts jsonb NOT NULL,
  approvals_required integer NOT NULL CHECK (approvals_required >= 0),
  approver_roles text[] NOT NULL,
  requested_by text NOT NULL,
  requester_user_id uuid,
  created_at timestamptz NOT NULL,
  decided_at timestamptz
);
CREATE INDEX deployments_status_created ON deployments(status, created_at DESC);
CREATE INDEX deployments_project_env ON deployments(project_id, environment_id, created_at DESC);
CREATE INDEX deployments_env_approved ON deployments(environment_id, project_id, decided_at DESC)
  WHERE status = 'approved';

CREATE TABLE deployment_decisions (
  deployment_id uuid NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  actor text NOT NULL,
  role text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approve', 'reject')),
  comment text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (deployment_id, user_id)
);

CREATE TABLE deployment_events (
  id bigserial PRIMARY KEY,
  deployment_id uuid NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  from_status text,
  to_status text NOT NULL,
  reason text
);
CREATE INDEX deployment_events_deployment ON deployment_events(deployment_id, id);
`,
};
