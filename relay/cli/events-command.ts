/**
 * `event-bus events read|replay`: stored events from the command line. Reads go to PostgreSQL when
 * EVENT_BUS_STORE_URL (or --store) is set, else to the Redis history (one channel, or one event
 * type's group stream). `replay` appends the matching events, in stored order, to their types'
 * group streams for one consumer group (docs/backend.md, "Event store and replay").
 */
import { channelNames } from "../../protocol/channels.js";
import { EventBusError } from "../../protocol/errors.js";
import type { Broker } from "../brokers/broker.js";
import type { EventQuery, EventStore, StoredEvent } from "../store/event-store.js";
import { PostgresEventStore } from "../store/postgres/postgres-store.js";
import { RedisHistoryStore } from "../store/redis-history-store.js";
import { replayEvents } from "../store/replay.js";
import { connectedBroker } from "./publish-command.js";
import { parseCommandLine, usageError } from "./usage.js";

export const usage = `Usage: event-bus events read   [filters] [--json]
       event-bus events replay [filters] --group <group>

Filters:
  --type <type>        an event type or a * glob (repeatable): --type 'photo.*'
  --channel <channel>  one channel: room:photo:1, user:u1, photo.uploaded
  --aggregate <id>     one aggregate (metadata.aggregateId)
  --since <time>       ISO 8601, or an age: 30s, 15m, 2h, 7d
  --until <time>       same forms
  --limit <n>          read: events to print (1-1000, default 100)
  --cursor <cursor>    continue after this position (printed after a full page)
Store: EVENT_BUS_STORE_URL or --store postgres://… (PostgreSQL; --table [schema.]table or
EVENT_BUS_STORE_TABLE when not public.event_bus_events); otherwise the Redis history
(EVENT_BUS_REDIS_URL / EVENT_BUS_REDIS_CLUSTER), which reads one --channel or one exact --type.
replay needs Redis too: the events go to the group's consumers, not to other groups.
`;

const PREVIEW = 160;

function parse(args: readonly string[]) {
  return parseCommandLine({
    args: [...args],
    allowPositionals: true,
    options: {
      type: { type: "string", multiple: true },
      channel: { type: "string" },
      aggregate: { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      limit: { type: "string" },
      cursor: { type: "string" },
      group: { type: "string" },
      store: { type: "string" },
      table: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** Coded errors go to the dispatcher (commands.ts): one line, exit 2 for bad input, 1 otherwise. */
export async function run(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse(args);
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const [action] = positionals;
  if ((action !== "read" && action !== "replay") || positionals.length > 1) {
    throw usageError("Expected read or replay.");
  }
  if (action === "replay" && !values.group) throw usageError("replay needs --group <group>.");
  const query = queryOf(values);
  const where = { url: values.store, table: values.table };
  return action === "read"
    ? read(query, values.json === true, where)
    : replay(query, values.group ?? "", where);
}

function queryOf(values: ReturnType<typeof parse>["values"]): EventQuery {
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  return {
    ...(values.type && { types: values.type }),
    ...(values.channel !== undefined && { channel: values.channel }),
    ...(values.aggregate !== undefined && { aggregateId: values.aggregate }),
    ...(values.since !== undefined && { since: timeArg("--since", values.since) }),
    ...(values.until !== undefined && { until: timeArg("--until", values.until) }),
    ...(limit !== undefined && { limit }),
    ...(values.cursor !== undefined && { cursor: values.cursor }),
  };
}

/** ISO 8601, or an age like 15m ago. */
export function timeArg(name: string, value: string, now = Date.now()): number {
  const age = /^(\d+)(s|m|h|d)$/.exec(value);
  if (age) {
    const unit = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[age[2] as "s" | "m" | "h" | "d"];
    return now - Number(age[1]) * unit;
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new EventBusError(
      "INVALID_OPTIONS",
      `${name} ${JSON.stringify(value)} is not an ISO 8601 time or an age like 15m.`,
    );
  }
  return ms;
}

interface Opened {
  readonly store: EventStore;
  readonly broker: Broker | undefined;
  close(): Promise<void>;
}

interface StoreArgs {
  readonly url: string | undefined;
  readonly table: string | undefined;
}

async function open(where: StoreArgs, needBroker: boolean): Promise<Opened> {
  const url = where.url ?? process.env.EVENT_BUS_STORE_URL?.trim();
  const [schema, table] = tableOf(where.table ?? process.env.EVENT_BUS_STORE_TABLE);
  const broker = !url || needBroker ? await connectedBroker() : undefined;
  const names = channelNames(process.env.EVENT_BUS_PREFIX ?? "");
  const store: EventStore = url
    ? new PostgresEventStore({ connectionString: url, migrate: false, schema, table })
    : new RedisHistoryStore(async () => broker as Broker, names);
  return {
    store,
    broker,
    close: async () => {
      await store.close();
      await broker?.close();
    },
  };
}

function tableOf(value: string | undefined): [string, string] {
  if (!value) return ["public", "event_bus_events"];
  const dot = value.indexOf(".");
  return dot === -1 ? ["public", value] : [value.slice(0, dot), value.slice(dot + 1)];
}

async function read(query: EventQuery, json: boolean, where: StoreArgs): Promise<number> {
  const opened = await open(where, false);
  try {
    const page = await opened.store.read(query);
    for (const event of page.events)
      process.stdout.write(`${json ? JSON.stringify(event) : formatEvent(event)}\n`);
    process.stderr.write(
      `${page.events.length} event(s) from the ${opened.store.kind} store${page.cursor ? `; next page: --cursor ${page.cursor}` : ""}\n`,
    );
    return 0;
  } finally {
    await opened.close();
  }
}

async function replay(query: EventQuery, group: string, where: StoreArgs): Promise<number> {
  const opened = await open(where, true);
  try {
    const names = channelNames(process.env.EVENT_BUS_PREFIX ?? "");
    const broker = opened.broker as Broker;
    const result = await replayEvents({ store: opened.store, broker: async () => broker, names }, query, {
      group,
    });
    process.stdout.write(`replayed ${result.replayed} event(s) to group ${group}\n`);
    return 0;
  } finally {
    await opened.close();
  }
}

/** One readable line: time, channel, type, aggregate, id, data. */
export function formatEvent(event: StoredEvent): string {
  const data = JSON.stringify(event.data);
  const shown = data.length > PREVIEW ? `${data.slice(0, PREVIEW)}…` : data;
  const aggregate = event.metadata.aggregateId ?? "-";
  return `${event.metadata.timestamp}  ${event.channel}  ${event.type}  ${aggregate}  ${event.id}  ${shown}`;
}
