/**
 * `airavata experiment …`: inspect and control experiments in the embedded data directory or on a
 * PostgreSQL server (see storeTarget).
 */
import { Command } from "@effect/cli"
import { addCommand } from "./addCommand.js"
import { cancelCommand, closeCommand, pauseCommand, resumeCommand, retryCommand } from "./controlCommands.js"
import { listCommand } from "./listCommand.js"
import { logsCommand } from "./logsCommand.js"
import { resubmitCommand } from "./resubmitCommand.js"
import { statusCommand } from "./statusCommand.js"
import { tasksCommand } from "./tasksCommand.js"

export const experimentCommand = Command.make("experiment").pipe(
  Command.withDescription(
    "Inspect and control experiments: in --data-dir (default .airavata) or on PostgreSQL (--database-url, DATABASE_URL).",
  ),
  Command.withSubcommands([
    listCommand,
    statusCommand,
    tasksCommand,
    logsCommand,
    cancelCommand,
    pauseCommand,
    resumeCommand,
    retryCommand,
    resubmitCommand,
    addCommand,
    closeCommand,
  ]),
)
