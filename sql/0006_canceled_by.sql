-- Which failed task a cascade-canceled task was waiting on (`upstream task <key> failed`), so
-- retryFailed revives exactly the tasks an upstream failure canceled and never one canceled for
-- another reason. No foreign key: deleting an experiment's tasks would then look up referrers per
-- deleted row, and the column is cleared whenever the task leaves CANCELED anyway.

ALTER TABLE tasks ADD COLUMN IF NOT EXISTS canceled_by uuid;

-- Tasks the cascade canceled before this column existed, recognised by the error it wrote.
UPDATE tasks t SET canceled_by = f.id
FROM tasks f
WHERE t.status = 'CANCELED' AND t.canceled_by IS NULL AND t.error LIKE 'upstream task % failed'
  AND f.experiment_id = t.experiment_id AND f.status = 'FAILED'
  AND f.key = substring(t.error FROM '^upstream task (.*) failed$');

-- Dropped first so that replaying the file by hand stays harmless (ADD CONSTRAINT has no IF NOT EXISTS).
ALTER TABLE tasks DROP CONSTRAINT IF EXISTS tasks_canceled_by_canceled;
ALTER TABLE tasks ADD CONSTRAINT tasks_canceled_by_canceled CHECK (canceled_by IS NULL OR status = 'CANCELED');
