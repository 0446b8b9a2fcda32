-- Who uses the system and where work runs: users, groups, memberships, projects, compute and
-- storage resources. Ids are application-generated strings; timestamps come from the application
-- clock (so tests drive them), never from now(). No constraint orders two timestamps written by
-- different statements: replicas' clocks differ, and a backwards step must not fail a write.

CREATE TABLE IF NOT EXISTS users (
  id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
  username text NOT NULL UNIQUE CHECK (length(username) BETWEEN 3 AND 50),
  email text NOT NULL UNIQUE CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
  full_name text NOT NULL DEFAULT '' CHECK (length(full_name) <= 255),
  is_active boolean NOT NULL DEFAULT true,
  uid integer CHECK (uid >= 0),
  gid integer CHECK (gid >= 0),
  -- Never selected into an entity: only the authentication check reads it.
  password_hash text CHECK (password_hash IS NULL OR length(password_hash) >= 32),
  metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS groups (
  id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
  name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
  description text NOT NULL DEFAULT '',
  owner_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  is_active boolean NOT NULL DEFAULT true,
  metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS groups_owner ON groups (owner_id);

-- A member is a user or (for nesting) another group: two typed columns with a foreign key each,
-- exactly one of them set, instead of an unchecked polymorphic id.
CREATE TABLE IF NOT EXISTS group_memberships (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  group_id text NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  member_user_id text REFERENCES users (id) ON DELETE CASCADE,
  member_group_id text REFERENCES groups (id) ON DELETE CASCADE,
  role text NOT NULL DEFAULT 'MEMBER' CHECK (role IN ('OWNER', 'ADMIN', 'MEMBER', 'VIEWER')),
  is_active boolean NOT NULL DEFAULT true,
  joined_at timestamptz NOT NULL,
  CONSTRAINT group_memberships_one_member CHECK ((member_user_id IS NULL) <> (member_group_id IS NULL)),
  CONSTRAINT group_memberships_not_self CHECK (member_group_id IS DISTINCT FROM group_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS group_memberships_user ON group_memberships (member_user_id, group_id)
  WHERE member_user_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS group_memberships_group ON group_memberships (member_group_id, group_id)
  WHERE member_group_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS projects (
  id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
  description text NOT NULL DEFAULT '',
  owner_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  is_active boolean NOT NULL DEFAULT true,
  metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT projects_owner_name_key UNIQUE (owner_id, name)
);

CREATE TABLE IF NOT EXISTS compute_resources (
  id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
  name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 255),
  type text NOT NULL CHECK (type IN ('SLURM', 'KUBERNETES', 'BARE_METAL', 'LOCAL')),
  endpoint text NOT NULL DEFAULT '',
  port integer CHECK (port BETWEEN 1 AND 65535),
  owner_id text NOT NULL REFERENCES users (id),
  status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE', 'MAINTENANCE', 'ERROR')),
  cost_per_hour double precision NOT NULL DEFAULT 0 CHECK (cost_per_hour >= 0),
  max_workers integer NOT NULL DEFAULT 1 CHECK (max_workers >= 1),
  current_workers integer NOT NULL DEFAULT 0 CHECK (current_workers >= 0),
  availability double precision NOT NULL DEFAULT 1 CHECK (availability BETWEEN 0 AND 1),
  capabilities jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(capabilities) = 'object'),
  metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS storage_resources (
  id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
  name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 255),
  type text NOT NULL CHECK (type IN ('S3', 'SFTP', 'NFS', 'LOCAL')),
  endpoint text NOT NULL DEFAULT '',
  owner_id text NOT NULL REFERENCES users (id),
  status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE', 'MAINTENANCE', 'ERROR')),
  total_capacity bigint CHECK (total_capacity >= 0),
  used_capacity bigint CHECK (used_capacity >= 0 AND used_capacity <= total_capacity),
  available_capacity bigint CHECK (available_capacity >= 0 AND available_capacity <= total_capacity),
  region text,
  zone text,
  metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
