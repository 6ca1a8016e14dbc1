/**
 * `event-bus tail <pattern>`: prints live messages on channels matching a Redis glob, one readable
 * line each (time, channel, offset, type, data), until Ctrl-C. An exact channel name subscribes to
 * that channel (so sharded channels work on a cluster too); a glob uses PSUBSCRIBE, which on a
 * cluster sees only event-type channels.
 */
import { decodeMessage } from "../../protocol/codec.js";
import { isEventBusError } from "../../protocol/errors.js";
import { hasGlobSyntax } from "../../protocol/glob.js";
import { connectedBroker } from "./publish-command.js";
import { parseCommandLine, usageError } from "./usage.js";

export const usage = `Usage: event-bus tail <pattern> [--json] [--count <n>]

Prints live messages on channels matching a Redis glob (e.g. 'room:photo:*', 'user:u1', 'photo.*').
  --json         print each raw message as published, prefixed by its channel
  --count <n>    exit after n messages
Needs EVENT_BUS_REDIS_URL or EVENT_BUS_REDIS_CLUSTER.
`;

const PREVIEW = 200;

/** One readable line for a message. */
export function formatLine(channel: string, raw: string, json: boolean, now = new Date()): string {
  if (json) return `${channel}\t${raw}`;
  try {
    const { envelope, position } = decodeMessage(raw, undefined, { allowSystem: true });
    const data = JSON.stringify(envelope.data);
    const shown = data.length > PREVIEW ? `${data.slice(0, PREVIEW)}…` : data;
    const offset = position ? `#${position.offset}` : "live";
    return `${now.toISOString()}  ${channel}  ${offset}  ${envelope.type}  ${shown}`;
  } catch {
    return `${now.toISOString()}  ${channel}  (not an envelope)  ${raw.slice(0, PREVIEW)}`;
  }
}

export async function run(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine({
    args: [...args],
    allowPositionals: true,
    options: { json: { type: "boolean" }, count: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const [pattern] = positionals;
  const count = values.count === undefined ? Number.POSITIVE_INFINITY : Number(values.count);
  if (pattern === undefined || positionals.length > 1 || !(count > 0)) {
    throw usageError("Expected one <pattern> (and a positive --count).");
  }
  try {
    return await tail(pattern, values.json === true, count);
  } catch (error) {
    if (!isEventBusError(error)) throw error;
    process.stderr.write(`event-bus tail: ${error.message}\n`);
    return error.code === "BROKER_UNAVAILABLE" ? 1 : 2;
  }
}

async function tail(pattern: string, json: boolean, count: number): Promise<number> {
  const broker = await connectedBroker();
  let seen = 0;
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const print = (channel: string, message: string) => {
    process.stdout.write(`${formatLine(channel, message, json)}\n`);
    if (++seen >= count) stop();
  };
  const unsubscribe = hasGlobSyntax(pattern)
    ? await broker.psubscribe(pattern, print)
    : await broker.subscribe(pattern, print);
  process.stderr.write(`tailing ${pattern} (Ctrl-C to stop)\n`);
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await stopped;
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  await unsubscribe();
  await broker.close();
  return 0;
}
