/**
 * GroupStreams on Redis and Redis Cluster: consumer groups over each event type's stream, through
 * the scripts of redis-group-scripts.ts. Every call names one event type, whose keys share a hash
 * tag, so on a cluster ioredis routes each call to the node that owns the type's slot. Calls go
 * through the broker's ready gate (`exec`), so they wait (bounded) while Redis reconnects, like
 * every other broker operation.
 */
import { channelKeys, eventStreamKeys } from "../../../protocol/channels.js";
import type {
  ClaimResult,
  GroupEntry,
  GroupInfo,
  GroupStreams,
  StreamBounds,
  StreamInfo,
  StreamRecord,
  StreamSource,
} from "../group-streams.js";
import { streamIdTime } from "../group-streams.js";
import { GROUP_SCRIPTS } from "./redis-group-scripts.js";
import type { ScriptClient } from "./redis-scripts.js";

/** What the streams need from ioredis: Redis and Cluster both fit. */
export interface StreamClient extends ScriptClient {
  xack(key: string, group: string, ...ids: string[]): Promise<number>;
  xrange(key: string, start: string, end: string, count: "COUNT", n: number): Promise<[string, string[]][]>;
}

/** Runs one operation on the live client, through the broker's gate and error mapping. */
export type StreamsExec = <T>(what: string, run: (client: StreamClient) => Promise<T>) => Promise<T>;

export class RedisGroupStreams implements GroupStreams {
  constructor(private readonly exec: StreamsExec) {}

  async createGroup(channel: string, group: string, bounds: StreamBounds): Promise<boolean> {
    const { stream, config } = eventStreamKeys(channel);
    const reply = await this.exec("createGroup", (client) =>
      GROUP_SCRIPTS.createGroup.run(
        client,
        [stream, config],
        [group, Math.max(1, Math.floor(bounds.maxLength)), Math.max(0, Math.floor(bounds.maxAgeMs))],
      ),
    );
    return Number(reply) === 1;
  }

  async read(channel: string, group: string, consumer: string, count: number): Promise<GroupEntry[]> {
    const { stream } = eventStreamKeys(channel);
    const reply = await this.exec("readGroup", (client) =>
      GROUP_SCRIPTS.readGroup.run(client, [stream], [group, consumer, Math.max(1, Math.floor(count))]),
    );
    if (!Array.isArray(reply)) return [];
    return reply.map((entry) => {
      const [id, fields] = entry as [string, unknown];
      return toEntry(id, fields, 1);
    });
  }

  async ack(channel: string, group: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { stream } = eventStreamKeys(channel);
    return this.exec("ack", (client) => client.xack(stream, group, ...ids));
  }

  async claim(
    channel: string,
    group: string,
    consumer: string,
    options: { readonly minIdleMs: number; readonly count: number; readonly cursor: string },
  ): Promise<ClaimResult> {
    const { stream } = eventStreamKeys(channel);
    const reply = await this.exec("claim", (client) =>
      GROUP_SCRIPTS.claimIdle.run(
        client,
        [stream],
        [group, consumer, Math.max(0, Math.floor(options.minIdleMs)), options.cursor, options.count],
      ),
    );
    const [cursor, trimmed, ...rest] = reply as [string, string[], ...unknown[]];
    const entries: GroupEntry[] = [];
    for (let i = 0; i + 2 < rest.length; i += 3) {
      entries.push(toEntry(String(rest[i]), rest[i + 1], Number(rest[i + 2])));
    }
    return { cursor: String(cursor), trimmed: (trimmed ?? []).map(String), entries };
  }

  async touch(
    channel: string,
    group: string,
    consumer: string,
    ids: readonly string[],
    deliveries?: number,
  ): Promise<string[]> {
    if (ids.length === 0) return [];
    const { stream } = eventStreamKeys(channel);
    const reply = await this.exec("touch", (client) =>
      GROUP_SCRIPTS.touch.run(client, [stream], [group, consumer, deliveries ?? "", ...ids]),
    );
    return Array.isArray(reply) ? reply.map(String) : [];
  }

  async info(channel: string): Promise<StreamInfo> {
    const { stream, config } = eventStreamKeys(channel);
    const reply = (await this.exec("streamInfo", (client) =>
      GROUP_SCRIPTS.streamInfo.run(client, [stream, config], []),
    )) as unknown[];
    const [now, length, maxlen, maxage, oldest, ...rest] = reply.map((v) => String(v));
    const at = Number(now);
    const groups: GroupInfo[] = [];
    for (let i = 0; i + 5 < rest.length; i += 6) {
      const [group = "", consumers, pending, lastDeliveredId = "0-0", lag, oldestPending = ""] = rest.slice(
        i,
        i + 6,
      );
      groups.push({
        group,
        consumers: Number(consumers),
        pending: Number(pending),
        lag: Number(lag) < 0 ? null : Number(lag),
        lastDeliveredId,
        oldestPendingAgeMs: oldestPending ? Math.max(0, at - streamIdTime(oldestPending)) : null,
      });
    }
    return {
      length: Number(length),
      bounds: maxlen ? { maxLength: Number(maxlen), maxAgeMs: Number(maxage || 0) } : null,
      oldestAgeMs: oldest ? Math.max(0, at - streamIdTime(oldest)) : null,
      groups,
    };
  }

  async append(channel: string, message: string, onlyGroup: string): Promise<string | null> {
    const { stream, config } = eventStreamKeys(channel);
    const reply = await this.exec("append", (client) =>
      GROUP_SCRIPTS.appendForGroup.run(client, [stream, config], [message, onlyGroup]),
    );
    return typeof reply === "string" ? reply : null;
  }

  async range(
    source: StreamSource,
    channel: string,
    options: { readonly after?: string; readonly count: number },
  ): Promise<StreamRecord[]> {
    const key = source === "history" ? channelKeys(channel).history : eventStreamKeys(channel).stream;
    const start = options.after === undefined ? "-" : `(${options.after}`;
    const entries = await this.exec("range", (client) =>
      client.xrange(key, start, "+", "COUNT", Math.max(1, Math.floor(options.count))),
    );
    return entries.map(([id, fields]) => ({ id, message: fieldOf(fields, "d") ?? "" }));
  }

  async removeConsumer(channel: string, group: string, consumer: string): Promise<boolean> {
    const { stream } = eventStreamKeys(channel);
    const reply = await this.exec("removeConsumer", (client) =>
      GROUP_SCRIPTS.removeConsumer.run(client, [stream], [group, consumer]),
    );
    return Number(reply) === 1;
  }
}

function fieldOf(fields: unknown, name: string): string | undefined {
  if (!Array.isArray(fields)) return undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) if (String(fields[i]) === name) return String(fields[i + 1]);
  return undefined;
}

function toEntry(id: string, fields: unknown, deliveries: number): GroupEntry {
  const only = fieldOf(fields, "o");
  const entry = { id: String(id), message: fieldOf(fields, "d") ?? "", deliveries };
  return only === undefined ? entry : { ...entry, onlyGroup: only };
}
