#!/usr/bin/env node
/**
 * The CLI folder (relay/cli/): the `event-bus` command — subcommands (commands.ts, *-command.ts)
 * and the relay's configuration from flags, environment variables and files (relay-config.ts).
 * Nothing else imports the CLI.
 *
 * `event-bus` — the command-line entry point (see commands.ts for the subcommands).
 */
import { argv, exit, stderr } from "node:process";
import { dispatch } from "./commands.js";

dispatch(argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    stderr.write(`event-bus: ${error instanceof Error ? error.message : String(error)}\n`);
    exit(1);
  },
);
