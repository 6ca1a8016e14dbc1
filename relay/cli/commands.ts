/**
 * The subcommands of `event-bus`. Each lives in its own module and is loaded only when used, so
 * `event-bus --help` starts instantly. Add a command by adding a row here. A command line that does
 * not parse (usage.ts) is printed with the subcommand's usage; any coded error a command lets through
 * is printed on one line, exiting 2 for bad input and 1 for anything else.
 */
import { stderr, stdout } from "node:process";
import { type EventBusError, isEventBusError } from "../../protocol/errors.js";
import { isUsageError } from "./usage.js";

export interface CommandModule {
  /** Resolves to the process exit code. */
  run(args: readonly string[]): Promise<number>;
  /** The subcommand's `--help` text. */
  readonly usage: string;
}

export interface Subcommand {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<CommandModule>;
}

export const SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: "relay",
    summary: "run the edge relay (socket.io + JWT, bridging broker channels to rooms)",
    load: () => import("./relay-command.js"),
  },
  {
    name: "publish",
    summary: "publish one event through Redis to a user, room, role, broadcast or event channel",
    load: () => import("./publish-command.js"),
  },
  {
    name: "tail",
    summary: "print live messages on channels matching a Redis glob, with channel and offset",
    load: () => import("./tail-command.js"),
  },
  {
    name: "events",
    summary: "read stored events (PostgreSQL or the Redis history), or replay them to a consumer group",
    load: () => import("./events-command.js"),
  },
  {
    name: "webhooks",
    summary:
      "deliver events to webhook endpoints (signed, retried, durable), or list/replay their dead letters",
    load: () => import("./webhooks-command.js"),
  },
  {
    name: "token",
    summary: "mint a development JWT for a user (never for production)",
    load: () => import("./token-command.js"),
  },
];

export function helpText(): string {
  const width = Math.max(...SUBCOMMANDS.map((c) => c.name.length));
  const lines = SUBCOMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    "Usage: event-bus <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Run `event-bus <command> --help` for a command's options.",
    "Configuration also comes from the environment (EVENT_BUS_REDIS_URL, JWT_SECRET, …): see the README.",
    "",
  ].join("\n");
}

export async function dispatch(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    stdout.write(helpText());
    return name === undefined ? 2 : 0;
  }
  const command = SUBCOMMANDS.find((c) => c.name === name);
  if (!command) {
    stderr.write(`event-bus: unknown command '${name}'.\n\n${helpText()}`);
    return 2;
  }
  const module = await command.load();
  try {
    return await module.run(rest);
  } catch (error) {
    if (!isEventBusError(error)) throw error;
    const usage = isUsageError(error) ? `\n${module.usage}` : "";
    stderr.write(`event-bus ${name}: ${error.message}\n${usage}`);
    return isInputError(error) ? 2 : 1;
  }
}

/** Errors in what the user typed or configured (exit 2), as opposed to failures at run time (exit 1). */
function isInputError(error: EventBusError): boolean {
  return error.code === "CONFIG_INVALID" || error.code.startsWith("INVALID_");
}
