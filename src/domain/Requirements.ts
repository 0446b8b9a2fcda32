/** What a task needs from the machine that runs it, and what a worker offers. */
import { Schema } from "effect"

/** Walltime as "H:MM:SS" (hours may exceed 24), the form SLURM and the reference spec use. */
export const Walltime = Schema.String.pipe(
  Schema.pattern(/^\d+:[0-5]\d:[0-5]\d$/, { message: () => 'expected a walltime "H:MM:SS", e.g. "0:05:00"' }),
  Schema.brand("Walltime"),
)
export type Walltime = typeof Walltime.Type

export const walltimeSeconds = (walltime: Walltime): number => {
  const [h = 0, m = 0, s = 0] = walltime.split(":").map(Number)
  return h * 3600 + m * 60 + s
}

export class ResourceRequirements extends Schema.Class<ResourceRequirements>("ResourceRequirements")({
  cpuCores: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 1 }),
  memoryMB: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 1 }),
  diskGB: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => 0 }),
  gpus: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => 0 }),
  walltime: Schema.optional(Walltime),
  /** 0 (lowest) to 10 (highest); claims take higher priority first. */
  priority: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 10)), { default: () => 5 }),
}) {}

/** What a worker advertises; a task is eligible for a worker only when its requirements fit. */
export class WorkerCapabilities extends Schema.Class<WorkerCapabilities>("WorkerCapabilities")({
  cpuCores: Schema.Int.pipe(Schema.positive()),
  memoryMB: Schema.Int.pipe(Schema.positive()),
  diskGB: Schema.Int.pipe(Schema.nonNegative()),
  gpus: Schema.Int.pipe(Schema.nonNegative()),
}) {}

export const fits = (req: ResourceRequirements, cap: WorkerCapabilities): boolean =>
  req.cpuCores <= cap.cpuCores &&
  req.memoryMB <= cap.memoryMB &&
  req.diskGB <= cap.diskGB &&
  req.gpus <= cap.gpus
