-- tasks_by_status (experiment, status, seq) took a new entry at every status change of every task:
-- one more index written by the claim and by the completion, the two updates each task goes
-- through. What it served by status are the rare statuses: the FAILED tasks a retry revives and
-- pages of FAILED or CANCELED tasks. A partial index on those is written only when a task fails or
-- is canceled; counts per status and pages of the common statuses walk tasks_by_experiment.

DROP INDEX IF EXISTS tasks_by_status;
CREATE INDEX IF NOT EXISTS tasks_unsuccessful ON tasks (experiment_id, status, seq)
  WHERE status IN ('FAILED', 'CANCELED');
