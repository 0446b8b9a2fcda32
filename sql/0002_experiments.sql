-- Experiments and the per-experiment bookkeeping the scheduler keeps so that no hot path counts
-- rows: striped task counters (running, for fair share; completed/failed/canceled, for finishing)
-- and per-task-name groups for `depends_on` barriers.

CREATE TABLE IF NOT EXISTS experiments (
  id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
  description text NOT NULL DEFAULT '',
  project_id text NOT NULL REFERENCES projects (id),
  owner_id text NOT NULL REFERENCES users (id),
  status text NOT NULL
    CHECK (status IN ('CREATED', 'EXECUTING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELED')),
  spec jsonb NOT NULL,
  requirements jsonb NOT NULL CHECK (jsonb_typeof(requirements) = 'object'),
  constraints jsonb NOT NULL CHECK (jsonb_typeof(constraints) = 'object'),
  metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  total_tasks integer NOT NULL CHECK (total_tasks >= 0),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  started_at timestamptz,
  completed_at timestamptz,
  CONSTRAINT experiments_project_name_key UNIQUE (project_id, name),
  CONSTRAINT experiments_finished_at
    CHECK ((status IN ('COMPLETED', 'FAILED', 'CANCELED')) = (completed_at IS NOT NULL)),
  CONSTRAINT experiments_started_at CHECK (status IN ('CREATED', 'CANCELED') OR started_at IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS experiments_active ON experiments (id) WHERE status IN ('EXECUTING', 'PAUSED');
CREATE INDEX IF NOT EXISTS experiments_owner ON experiments (owner_id, created_at DESC);
CREATE INDEX IF NOT EXISTS experiments_by_project ON experiments (project_id, created_at DESC);
CREATE INDEX IF NOT EXISTS experiments_by_status ON experiments (status, created_at DESC);

-- One row per spec task name. `total` instances; `completed` counts COMPLETED instances, kept only
-- for groups some other group waits on (`tracked`), so a flat sweep pays nothing for it.
CREATE TABLE IF NOT EXISTS task_groups (
  experiment_id text NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) > 0),
  position integer NOT NULL CHECK (position >= 0),
  total integer NOT NULL CHECK (total >= 0),
  completed integer NOT NULL DEFAULT 0,
  tracked boolean NOT NULL DEFAULT false,
  PRIMARY KEY (experiment_id, name),
  CONSTRAINT task_groups_completed_bounded CHECK (completed BETWEEN 0 AND total),
  CONSTRAINT task_groups_untracked_zero CHECK (tracked OR completed = 0)
);

-- `after_name` waits for every instance of `before_name` (`depends_on` in the spec): one row per
-- pair of names instead of one edge per pair of instances.
CREATE TABLE IF NOT EXISTS task_barriers (
  experiment_id text NOT NULL,
  before_name text NOT NULL,
  after_name text NOT NULL,
  PRIMARY KEY (experiment_id, before_name, after_name),
  FOREIGN KEY (experiment_id, before_name) REFERENCES task_groups (experiment_id, name) ON DELETE CASCADE,
  FOREIGN KEY (experiment_id, after_name) REFERENCES task_groups (experiment_id, name) ON DELETE CASCADE,
  CONSTRAINT task_barriers_not_self CHECK (before_name <> after_name)
);

-- Task counters per experiment — running (leased) tasks for fair share, and completed, failed and
-- canceled ones for finishing the experiment — split into 16 stripes picked by the writer's
-- backend, so concurrent claims and reports never queue on one counter row (the experiment row
-- is not written per task at all). Only sums over stripes are meaningful: a single stripe may go
-- negative when a task is counted through one stripe and uncounted through another. No foreign
-- key: its check would share-lock the experiment row on every claim, and concurrent share locks
-- on one row cost a MultiXact each; rows of a deleted experiment are inert.
CREATE TABLE IF NOT EXISTS experiment_load (
  experiment_id text NOT NULL,
  stripe smallint NOT NULL CHECK (stripe BETWEEN 0 AND 15),
  running integer NOT NULL DEFAULT 0,
  completed integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  canceled integer NOT NULL DEFAULT 0,
  PRIMARY KEY (experiment_id, stripe)
);
