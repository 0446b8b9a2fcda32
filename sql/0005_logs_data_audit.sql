-- Task output streams (workers send logs to whichever replica serves them, so logs live here),
-- the content-addressed data cache, data lineage and the audit log.

CREATE TABLE IF NOT EXISTS task_logs (
  task_id uuid NOT NULL,
  attempt integer NOT NULL,
  stream text NOT NULL CHECK (stream IN ('stdout', 'stderr')),
  -- Chunk number within (task, attempt, stream), chosen by the worker: a retransmit is a no-op.
  seq integer NOT NULL CHECK (seq >= 0),
  chunk text NOT NULL,
  logged_at timestamptz NOT NULL,
  PRIMARY KEY (task_id, attempt, stream, seq),
  FOREIGN KEY (task_id, attempt) REFERENCES task_attempts (task_id, attempt) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS data_cache (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
  path text NOT NULL CHECK (length(path) > 0),
  compute_resource_id text NOT NULL REFERENCES compute_resources (id) ON DELETE CASCADE,
  storage_resource_id text REFERENCES storage_resources (id) ON DELETE SET NULL,
  location_type text NOT NULL DEFAULT 'COMPUTE_STORAGE'
    CHECK (location_type IN ('CENTRAL', 'COMPUTE_STORAGE', 'WORKER')),
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  cached_at timestamptz NOT NULL,
  last_accessed_at timestamptz NOT NULL,
  CONSTRAINT data_cache_location_key UNIQUE (checksum, compute_resource_id, location_type, path)
);

CREATE TABLE IF NOT EXISTS data_lineage (
  id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
  transfer_type text NOT NULL CHECK (transfer_type IN ('STAGE_IN', 'STAGE_OUT', 'CACHE_HIT', 'CACHE_MISS')),
  source_path text NOT NULL CHECK (length(source_path) > 0),
  destination_path text NOT NULL CHECK (length(destination_path) > 0),
  source_checksum text CHECK (source_checksum ~ '^[0-9a-f]{64}$'),
  destination_checksum text CHECK (destination_checksum ~ '^[0-9a-f]{64}$'),
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  duration_ms bigint NOT NULL CHECK (duration_ms >= 0),
  task_id uuid REFERENCES tasks (id) ON DELETE SET NULL,
  worker_id text REFERENCES workers (id) ON DELETE SET NULL,
  compute_resource_id text REFERENCES compute_resources (id) ON DELETE SET NULL,
  storage_resource_id text REFERENCES storage_resources (id) ON DELETE SET NULL,
  success boolean NOT NULL DEFAULT true,
  error text,
  transferred_at timestamptz NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  CONSTRAINT data_lineage_failure_has_error CHECK (success OR error IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS data_lineage_by_task ON data_lineage (task_id) WHERE task_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS audit_log (
  id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
  logged_at timestamptz NOT NULL,
  actor_type text NOT NULL CHECK (actor_type IN ('USER', 'WORKER', 'SYSTEM')),
  actor_id text,
  action text NOT NULL CHECK (length(action) > 0),
  resource_type text NOT NULL CHECK (resource_type IN ('EXPERIMENT', 'TASK', 'WORKER', 'COMPUTE_RESOURCE',
    'STORAGE_RESOURCE', 'CREDENTIAL', 'PROJECT', 'USER', 'GROUP')),
  resource_id text NOT NULL CHECK (length(resource_id) > 0),
  outcome text NOT NULL DEFAULT 'SUCCESS' CHECK (outcome IN ('SUCCESS', 'DENIED', 'FAILURE')),
  details jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object'),
  ip_address text,
  user_agent text,
  CONSTRAINT audit_log_actor CHECK ((actor_type = 'SYSTEM') = (actor_id IS NULL))
);
CREATE INDEX IF NOT EXISTS audit_log_by_resource ON audit_log (resource_type, resource_id, logged_at DESC);
CREATE INDEX IF NOT EXISTS audit_log_by_time ON audit_log (logged_at DESC);
