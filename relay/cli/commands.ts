/**
 * The subcommands of `event-bus`. Each lives in its own module and is loaded only when used, so
 * `event-bus --help` starts instantly. Add a command by adding a row here.
 */
import { stderr, stdout } from "node:process";

export interface Subcommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Runs the command; resolves to the process exit code. */
  readonly load: () => Promise<{ run(args: readonly string[]): Promise<number> }>;
}

export const SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: "relay",
    summary: "run the edge relay (socket.io + JWT, bridging broker channels to rooms)",
    usage:
      "event-bus relay [--port 8080] [--redis-url redis://…] (JWT_SECRET | JWT_PUBLIC_KEY | JWKS_URL in the env)",
    load: () => import("./relay-command.js"),
  },
  {
    name: "publish",
    summary: "publish one event through Redis to a user, room, role, broadcast or event channel",
    usage: "event-bus publish <type> <json> [--user u | --room r | --role r | --broadcast]",
    load: () => import("./publish-command.js"),
  },
  {
    name: "tail",
    summary: "print live messages on channels matching a Redis glob, with channel and offset",
    usage: "event-bus tail <pattern> [--json] [--count n]",
    load: () => import("./tail-command.js"),
  },
  {
    name: "token",
    summary: "mint a development JWT for a user (never for production)",
    usage: "event-bus token --sub u1 [--rooms 'photo:*'] [--publish 'photo:*'] [--roles admin] [--ttl 1h]",
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
  return module.run(rest);
}
