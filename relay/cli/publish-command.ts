/**
 * `event-bus publish <type> <json> [--user u | --room r | --role r | --broadcast]`: publishes one
 * event through the broker (recoverable channels through history, like the backend library), and
 * prints the channel and the offset. Without a target it publishes on the event-type channel.
 */
import { type ChannelNames, channelNames } from "../../protocol/channels.js";
import { encodeEvent } from "../../protocol/codec.js";
import { EventBusError, isEventBusError } from "../../protocol/errors.js";
import type { Broker } from "../brokers/broker.js";
import { brokerConfigFromEnv, createBroker } from "../brokers/create-broker.js";
import { parseCommandLine, usageError } from "./usage.js";

export const usage = `Usage: event-bus publish <type> <json> [--user <id> | --room <room> | --role <role> | --broadcast]

Publishes one event through Redis (EVENT_BUS_REDIS_URL or EVENT_BUS_REDIS_CLUSTER must be set).
  --user <id>     to user:<id> (every device of the user)
  --room <room>   to room:<room>
  --role <role>   to role:<role>
  --broadcast     to every connected socket
  (none)          to the event-type channel (service-to-service)
  --source <name> metadata.source (default "cli")
  --trace-id <id> metadata.traceId
Example: event-bus publish photo.uploaded '{"photoId":"p1"}' --user u1
`;

function parse(args: readonly string[]) {
  return parseCommandLine({
    args: [...args],
    allowPositionals: true,
    options: {
      user: { type: "string" },
      room: { type: "string" },
      role: { type: "string" },
      broadcast: { type: "boolean" },
      source: { type: "string", default: "cli" },
      "trace-id": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

export async function run(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse(args);
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const [type, json] = positionals;
  const targets = [values.user, values.room, values.role, values.broadcast].filter((v) => v !== undefined);
  if (type === undefined || json === undefined || positionals.length > 2 || targets.length > 1) {
    throw usageError("Expected <type> <json> and at most one target.");
  }
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw usageError(
      `<json> is not valid JSON: ${JSON.stringify(json.slice(0, 60))} (quote it in the shell: '{"a":1}').`,
    );
  }
  try {
    return await publishOnce(type, data, values);
  } catch (error) {
    if (!isEventBusError(error)) throw error;
    process.stderr.write(`event-bus publish: ${error.message}\n`);
    return error.code === "BROKER_UNAVAILABLE" ? 1 : 2;
  }
}

interface Target {
  readonly user?: string | undefined;
  readonly room?: string | undefined;
  readonly role?: string | undefined;
  readonly broadcast?: boolean | undefined;
  readonly source: string;
  readonly "trace-id"?: string | undefined;
}

async function publishOnce(type: string, data: unknown, target: Target): Promise<number> {
  const names = channelNames(process.env.EVENT_BUS_PREFIX ?? "");
  const channel = channelOf(names, type, target);
  const { json } = encodeEvent({
    type,
    data,
    source: target.source,
    traceId: target["trace-id"],
    userId: target.user,
    room: target.room,
  });
  const broker = await connectedBroker();
  try {
    if (names.isRecoverable(channel)) {
      const { offset, epoch } = await broker.publishRecoverable(channel, json);
      process.stdout.write(`published to ${channel} at offset ${offset} (epoch ${epoch})\n`);
    } else {
      const receivers = await broker.publishEvent(channel, json);
      process.stdout.write(`published to ${channel} (${receivers} subscriptions received it)\n`);
    }
    return 0;
  } finally {
    await broker.close();
  }
}

function channelOf(names: ChannelNames, type: string, target: Target): string {
  if (target.user) return names.user(target.user);
  if (target.room) return names.room(target.room);
  if (target.role) return names.role(target.role);
  if (target.broadcast) return names.broadcast;
  return names.event(type);
}

/** A connected broker from the environment; refuses the memory broker (it only reaches this process). */
export async function connectedBroker(): Promise<Broker> {
  const config = brokerConfigFromEnv();
  if (config.broker === "memory") {
    throw new EventBusError(
      "CONFIG_INVALID",
      "EVENT_BUS_REDIS_URL or EVENT_BUS_REDIS_CLUSTER must be set (the memory broker only reaches this process).",
    );
  }
  const broker = createBroker(config);
  await broker.connect();
  return broker;
}
