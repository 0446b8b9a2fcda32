-- task_attempts_by_worker (worker_id WHERE ended_at IS NULL) served no query: live attempts are
-- found through their task (tasks_leases, then the primary key). It cost an entry at every claim,
-- and because ended_at is in its predicate, the attempt's completion could never be a HOT update.

DROP INDEX IF EXISTS task_attempts_by_worker;
