/** Name rules: task names appear in keys and `${task.OUTPUT}` references; inputs become environment variables. */

export const TASK_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/
export const TASK_NAME_EXPECTED = "a task name of letters, digits, _ and -, not starting with a digit or -"

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
export const ENV_NAME_EXPECTED =
  "an environment variable name of letters, digits and _, not starting with a digit"

/** A whole-value reference `${task.OUTPUT}`. */
export const REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_]*)\}$/
/** Something that looks like a reference somewhere inside a value. */
export const EMBEDDED_REFERENCE = /\$\{[^}]*\.[^}]*\}/

/** An inclusive integer range `a..b` or `a..b:step`. */
export const RANGE = /^(-?\d+)\.\.(-?\d+)(?::(-?\d+))?$/
