/**
 * Consumer-group streams in one process: the memory broker's GroupStreams, with the semantics of
 * the Redis scripts (redis-group-scripts.ts) — a capped stream per event type with groups, a
 * last-delivered id and a pending list per group, idle-time claiming with delivery counts — so
 * the same group tests pass on the memory broker, one Redis and a Redis Cluster. Time comes from
 * the hub's clock.
 */
import { getOrCreate } from "../../../common/collections.js";
import type {
  ClaimResult,
  GroupEntry,
  GroupInfo,
  StreamBounds,
  StreamInfo,
  StreamRecord,
} from "../group-streams.js";
import { compareStreamIds } from "../group-streams.js";

interface Entry {
  readonly id: string;
  readonly ms: number;
  readonly message: string;
  readonly onlyGroup: string | undefined;
}

interface Pending {
  consumer: string;
  deliveries: number;
  deliveredAt: number;
}

interface Group {
  lastDelivered: string;
  /** In id order: entries are added as they are read, which is id order. */
  readonly pending: Map<string, Pending>;
  readonly consumers: Set<string>;
}

interface Stream {
  entries: Entry[];
  lastId: string;
  bounds: StreamBounds | undefined;
  readonly groups: Map<string, Group>;
}

export class MemoryStreams {
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly now: () => number) {}

  /** Appends when the type has groups (its bounds are declared); returns the id or null. */
  appendIfGrouped(channel: string, message: string, onlyGroup?: string): string | null {
    const stream = this.streams.get(channel);
    if (!stream?.bounds) return null;
    const [lastMs, lastSeq] = stream.lastId.split("-").map(Number) as [number, number];
    const ms = Math.max(this.now(), lastMs);
    const id = `${ms}-${ms === lastMs ? lastSeq + 1 : 0}`;
    stream.lastId = id;
    stream.entries.push({ id, ms, message, onlyGroup });
    this.trim(stream, stream.bounds);
    return id;
  }

  createGroup(channel: string, group: string, bounds: StreamBounds): boolean {
    const stream = this.stream(channel);
    stream.bounds = bounds;
    if (stream.groups.has(group)) return false;
    stream.groups.set(group, { lastDelivered: stream.lastId, pending: new Map(), consumers: new Set() });
    return true;
  }

  read(channel: string, groupName: string, consumer: string, count: number): GroupEntry[] {
    const group = this.group(channel, groupName);
    const stream = this.stream(channel);
    const start = stream.entries.findIndex((e) => compareStreamIds(e.id, group.lastDelivered) > 0);
    if (start === -1) return [];
    const taken = stream.entries.slice(start, start + Math.max(1, count));
    const now = this.now();
    group.consumers.add(consumer);
    for (const entry of taken) group.pending.set(entry.id, { consumer, deliveries: 1, deliveredAt: now });
    group.lastDelivered = (taken.at(-1) as Entry).id;
    return taken.map((entry) => toGroupEntry(entry, 1));
  }

  ack(channel: string, groupName: string, ids: readonly string[]): number {
    const group = this.streams.get(channel)?.groups.get(groupName);
    if (!group) return 0;
    return ids.filter((id) => group.pending.delete(id)).length;
  }

  claim(
    channel: string,
    groupName: string,
    consumer: string,
    options: { readonly minIdleMs: number; readonly count: number; readonly cursor: string },
  ): ClaimResult {
    const group = this.group(channel, groupName);
    const byId = new Map(this.stream(channel).entries.map((e) => [e.id, e]));
    const now = this.now();
    const entries: GroupEntry[] = [];
    const trimmed: string[] = [];
    let cursor = "0-0";
    for (const [id, pending] of [...group.pending]) {
      if (compareStreamIds(id, options.cursor) < 0) continue;
      if (entries.length >= options.count) {
        cursor = id;
        break;
      }
      if (now - pending.deliveredAt < options.minIdleMs) continue;
      const entry = byId.get(id);
      if (!entry) {
        group.pending.delete(id);
        trimmed.push(id);
        continue;
      }
      Object.assign(pending, { consumer, deliveries: pending.deliveries + 1, deliveredAt: now });
      entries.push(toGroupEntry(entry, pending.deliveries));
    }
    group.consumers.add(consumer);
    return { entries, trimmed, cursor };
  }

  touch(
    channel: string,
    groupName: string,
    consumer: string,
    ids: readonly string[],
    deliveries?: number,
  ): string[] {
    const group = this.streams.get(channel)?.groups.get(groupName);
    if (!group) return [];
    const owned: string[] = [];
    for (const id of ids) {
      const pending = group.pending.get(id);
      if (pending?.consumer !== consumer) continue;
      pending.deliveredAt = this.now();
      if (deliveries !== undefined) pending.deliveries = deliveries;
      owned.push(id);
    }
    return owned;
  }

  info(channel: string): StreamInfo {
    const stream = this.streams.get(channel);
    const now = this.now();
    if (!stream) return { length: 0, bounds: null, oldestAgeMs: null, groups: [] };
    const first = stream.entries[0];
    const groups: GroupInfo[] = [...stream.groups].map(([name, group]) => {
      const oldest = group.pending.keys().next().value;
      return {
        group: name,
        consumers: group.consumers.size,
        pending: group.pending.size,
        lag: stream.entries.filter((e) => compareStreamIds(e.id, group.lastDelivered) > 0).length,
        lastDeliveredId: group.lastDelivered,
        oldestPendingAgeMs: oldest === undefined ? null : Math.max(0, now - Number(oldest.split("-")[0])),
      };
    });
    return {
      length: stream.entries.length,
      bounds: stream.bounds ?? null,
      oldestAgeMs: first ? Math.max(0, now - first.ms) : null,
      groups,
    };
  }

  range(channel: string, after: string | undefined, count: number): StreamRecord[] {
    const entries = this.streams.get(channel)?.entries ?? [];
    const start = after === undefined ? 0 : entries.findIndex((e) => compareStreamIds(e.id, after) > 0);
    if (start === -1) return [];
    return entries.slice(start, start + count).map(({ id, message }) => ({ id, message }));
  }

  removeConsumer(channel: string, groupName: string, consumer: string): boolean {
    const group = this.streams.get(channel)?.groups.get(groupName);
    if (!group) return true;
    for (const pending of group.pending.values()) if (pending.consumer === consumer) return false;
    group.consumers.delete(consumer);
    return true;
  }

  /** Forgets every stream (a Redis restart without persistence). */
  clear(): void {
    this.streams.clear();
  }

  private stream(channel: string): Stream {
    return getOrCreate(this.streams, channel, () => ({
      entries: [],
      lastId: "0-0",
      bounds: undefined,
      groups: new Map(),
    }));
  }

  private group(channel: string, name: string): Group {
    const group = this.streams.get(channel)?.groups.get(name);
    if (!group) throw new Error(`NOGROUP No such consumer group '${name}' for the stream of ${channel}`);
    return group;
  }

  private trim(stream: Stream, bounds: StreamBounds): void {
    const cutoff = bounds.maxAgeMs > 0 ? this.now() - bounds.maxAgeMs : Number.NEGATIVE_INFINITY;
    let drop = Math.max(0, stream.entries.length - bounds.maxLength);
    while (drop < stream.entries.length && (stream.entries[drop] as Entry).ms < cutoff) drop++;
    if (drop > 0) stream.entries.splice(0, drop);
  }
}

function toGroupEntry(entry: Entry, deliveries: number): GroupEntry {
  const base = { id: entry.id, message: entry.message, deliveries };
  return entry.onlyGroup === undefined ? base : { ...base, onlyGroup: entry.onlyGroup };
}
