-- Task instances, their dependency edges and their attempt history. The constraints encode the
-- lease invariants: a task holds a lease exactly when it is in a leased status, a leased or queued
-- task waits on nothing, and a terminal task has a completion time.

CREATE TABLE IF NOT EXISTS tasks (
  -- UUIDv5 of (experiment id, key): the store and the runtime derive it without a lookup.
  id uuid PRIMARY KEY,
  -- Insertion order: topological within an experiment, and "age" for claim order.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  experiment_id text NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
  key text NOT NULL CHECK (length(key) > 0),
  name text NOT NULL,
  task_index integer NOT NULL CHECK (task_index >= 0),
  status text NOT NULL CHECK (status IN ('CREATED', 'QUEUED', 'DATA_STAGING', 'ENV_SETUP', 'RUNNING',
    'OUTPUT_STAGING', 'COMPLETED', 'FAILED', 'CANCELED')),
  -- Number of claims so far; never reused, so it fences reports of earlier attempts.
  attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  -- `attempt` when the retry budget was last renewed (retryFailed): attempts used = attempt - retry_base.
  retry_base integer NOT NULL DEFAULT 0,
  priority smallint NOT NULL CHECK (priority BETWEEN 0 AND 10),
  script text NOT NULL,
  handler text,
  inputs jsonb NOT NULL CHECK (jsonb_typeof(inputs) = 'object'),
  outputs jsonb NOT NULL CHECK (jsonb_typeof(outputs) = 'object'),
  environment jsonb NOT NULL CHECK (jsonb_typeof(environment) = 'object'),
  input_files jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(input_files) = 'array'),
  metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  -- Unfinished instance dependencies plus unfinished barrier groups.
  pending_deps integer NOT NULL CHECK (pending_deps >= 0),
  retries integer NOT NULL CHECK (retries >= 0),
  backoff_base_ms integer NOT NULL CHECK (backoff_base_ms >= 0),
  backoff_factor double precision NOT NULL CHECK (backoff_factor >= 1),
  backoff_max_ms integer NOT NULL CHECK (backoff_max_ms >= 0),
  backoff_jitter double precision NOT NULL CHECK (backoff_jitter BETWEEN 0 AND 1),
  timeout_seconds integer CHECK (timeout_seconds > 0),
  cpu_cores integer NOT NULL CHECK (cpu_cores > 0),
  memory_mb integer NOT NULL CHECK (memory_mb > 0),
  disk_gb integer NOT NULL CHECK (disk_gb >= 0),
  gpus integer NOT NULL CHECK (gpus >= 0),
  walltime text CHECK (walltime ~ '^\d+:[0-5]\d:[0-5]\d$'),
  -- requirements.priority as submitted; `priority` above is the (re-orderable) claim priority.
  requested_priority smallint NOT NULL CHECK (requested_priority BETWEEN 0 AND 10),
  lease_owner text REFERENCES workers (id),
  lease_expires_at timestamptz,
  -- Where the current or last attempt ran. Informational, and written by every claim: no foreign
  -- key, whose check would take a shared lock on one hot compute_resources row per claim.
  compute_resource_id text,
  not_before timestamptz NOT NULL,
  exit_code integer,
  error text,
  result jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  started_at timestamptz,
  completed_at timestamptz,
  FOREIGN KEY (experiment_id, name) REFERENCES task_groups (experiment_id, name),
  CONSTRAINT tasks_retry_base CHECK (retry_base BETWEEN 0 AND attempt),
  CONSTRAINT tasks_lease_iff_leased CHECK (
    (status IN ('DATA_STAGING', 'ENV_SETUP', 'RUNNING', 'OUTPUT_STAGING')) = (lease_owner IS NOT NULL)),
  CONSTRAINT tasks_lease_has_expiry CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL)),
  CONSTRAINT tasks_lease_has_attempt CHECK (lease_owner IS NULL OR attempt >= 1),
  CONSTRAINT tasks_ready_waits_on_nothing
    CHECK (status IN ('CREATED', 'FAILED', 'CANCELED') OR pending_deps = 0),
  CONSTRAINT tasks_completed_at CHECK ((status IN ('COMPLETED', 'FAILED', 'CANCELED')) = (completed_at IS NOT NULL)),
  CONSTRAINT tasks_completed_ran CHECK (status <> 'COMPLETED' OR attempt >= 1)
);
-- The claim walks this per runnable experiment: highest priority, then oldest.
CREATE INDEX IF NOT EXISTS tasks_queue ON tasks (experiment_id, priority DESC, seq) WHERE status = 'QUEUED';
-- Leased tasks only (bounded by the slots of live workers): by worker for heartbeats and release;
-- the reaper scans it whole for expired leases. One index, as every claim and report writes it.
CREATE INDEX IF NOT EXISTS tasks_leases ON tasks (lease_owner, lease_expires_at) WHERE lease_owner IS NOT NULL;
CREATE INDEX IF NOT EXISTS tasks_by_experiment ON tasks (experiment_id, seq);
CREATE INDEX IF NOT EXISTS tasks_by_status ON tasks (experiment_id, status, seq);
-- Barrier release touches only the waiting instances of one task name.
CREATE INDEX IF NOT EXISTS tasks_waiting ON tasks (experiment_id, name) WHERE status = 'CREATED';

-- Instance edges: `task_id` waits for `depends_on` (foreach and ${task.OUTPUT} references).
CREATE TABLE IF NOT EXISTS task_dependencies (
  depends_on uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  PRIMARY KEY (depends_on, task_id),
  CONSTRAINT task_dependencies_not_self CHECK (depends_on <> task_id)
);
CREATE INDEX IF NOT EXISTS task_dependencies_task ON task_dependencies (task_id);

-- One row per claim. `status` is the last status the attempt reached: leased while it is live,
-- then COMPLETED, FAILED or CANCELED, or QUEUED when its lease was lost or its worker went away.
CREATE TABLE IF NOT EXISTS task_attempts (
  task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  attempt integer NOT NULL CHECK (attempt >= 1),
  worker_id text NOT NULL REFERENCES workers (id),
  status text NOT NULL CHECK (status IN ('QUEUED', 'DATA_STAGING', 'ENV_SETUP', 'RUNNING',
    'OUTPUT_STAGING', 'COMPLETED', 'FAILED', 'CANCELED')),
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  exit_code integer,
  error text,
  PRIMARY KEY (task_id, attempt),
  CONSTRAINT task_attempts_live_iff_leased CHECK (
    (ended_at IS NULL) = (status IN ('DATA_STAGING', 'ENV_SETUP', 'RUNNING', 'OUTPUT_STAGING')))
);
CREATE INDEX IF NOT EXISTS task_attempts_by_worker ON task_attempts (worker_id) WHERE ended_at IS NULL;
