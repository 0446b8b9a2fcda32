-- An open experiment accepts tasks after it was created (added one at a time by a service, like jobs
-- into a queue) and does not finish until it is closed. Added tasks are counted per stripe of
-- experiment_load, like the other counters, so adding never rewrites the experiment's row; their
-- instance index comes from one sequence, so it is unique without a per-experiment counter row.

ALTER TABLE experiments ADD COLUMN IF NOT EXISTS open boolean NOT NULL DEFAULT false;
ALTER TABLE experiment_load ADD COLUMN IF NOT EXISTS added integer NOT NULL DEFAULT 0;
CREATE SEQUENCE IF NOT EXISTS added_task_index AS integer;
