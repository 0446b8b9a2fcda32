-- tasks.lease_owner and task_attempts.worker_id no longer reference workers. Both are written by
-- the claim alone, with the id of the worker row that same statement reads (and requires to be in
-- a claiming status), and no worker row is ever deleted: the keys could never fail. Their checks
-- cost one lookup per claimed task for each key, and each took a share lock on the one worker row
-- that the completions of that worker's tasks update; together about 13 % of the throughput (see
-- bench/README.md). Heartbeats, releases and the reaper find leases through tasks_leases.

ALTER TABLE tasks DROP CONSTRAINT IF EXISTS tasks_lease_owner_fkey;
ALTER TABLE task_attempts DROP CONSTRAINT IF EXISTS task_attempts_worker_id_fkey;
