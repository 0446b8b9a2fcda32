-- Workers (pilot processes that connect back over gRPC) and the one-time tokens they register with.
-- Only hashes of tokens are stored.

CREATE TABLE IF NOT EXISTS workers (
  id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
  compute_resource_id text NOT NULL REFERENCES compute_resources (id),
  experiment_id text REFERENCES experiments (id) ON DELETE SET NULL,
  user_id text REFERENCES users (id) ON DELETE SET NULL,
  status text NOT NULL
    CHECK (status IN ('REGISTERED', 'IDLE', 'BUSY', 'DRAINING', 'DISCONNECTED', 'TERMINATED')),
  cpu_cores integer NOT NULL CHECK (cpu_cores > 0),
  memory_mb integer NOT NULL CHECK (memory_mb > 0),
  disk_gb integer NOT NULL CHECK (disk_gb >= 0),
  gpus integer NOT NULL CHECK (gpus >= 0),
  slots integer NOT NULL CHECK (slots >= 1),
  walltime text CHECK (walltime ~ '^\d+:[0-5]\d:[0-5]\d$'),
  compute_job_id text,
  tasks_completed integer NOT NULL DEFAULT 0 CHECK (tasks_completed >= 0),
  tasks_failed integer NOT NULL DEFAULT 0 CHECK (tasks_failed >= 0),
  token_hash text CHECK (token_hash IS NULL OR length(token_hash) >= 32),
  -- The stream currently serving the worker (any replica); null while disconnected.
  session_id text,
  last_heartbeat_at timestamptz,
  metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  registered_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  terminated_at timestamptz,
  CONSTRAINT workers_terminated_at CHECK ((status = 'TERMINATED') = (terminated_at IS NOT NULL)),
  CONSTRAINT workers_session_connected CHECK (session_id IS NULL OR status IN ('IDLE', 'BUSY', 'DRAINING'))
);
CREATE INDEX IF NOT EXISTS workers_by_resource ON workers (compute_resource_id, status);

CREATE TABLE IF NOT EXISTS registration_tokens (
  id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
  token_hash text NOT NULL UNIQUE CHECK (length(token_hash) >= 32),
  compute_resource_id text NOT NULL REFERENCES compute_resources (id) ON DELETE CASCADE,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  used_by text REFERENCES workers (id) ON DELETE SET NULL,
  CONSTRAINT registration_tokens_expiry CHECK (expires_at > created_at),
  CONSTRAINT registration_tokens_used CHECK (used_by IS NULL OR used_at IS NOT NULL)
);
