/**
 * ioredis plumbing shared by the Redis brokers: connection options and targets, and the
 * (un)subscribe commands of the subscriber links, with confirmation.
 */
import { type RedisOptions as IoRedisOptions, Redis } from "ioredis";
import { keySlot } from "./redis-slot.js";

/** ioredis options without `replyMapping`: the brokers rely on the default (legacy) reply shapes. */
export type RedisOptions = Omit<IoRedisOptions, "replyMapping">;

/** A redis:// URL and/or ioredis options (options win over what the URL says). */
export interface RedisTarget {
  readonly url?: string | undefined;
  readonly options: RedisOptions;
}

/** Builds an ioredis connection to `target`, with `overrides` applied last. */
export function connectTo(target: RedisTarget, overrides: RedisOptions): Redis {
  const options = { ...target.options, ...overrides };
  return target.url === undefined ? new Redis(options) : new Redis(target.url, options);
}

/**
 * What a subscriber link's connection must be: no retries of its own (the link reconnects itself,
 * building a fresh connection), no automatic resubscribe (the link resubscribes and waits for the
 * confirmation), nothing queued while it is down.
 */
export const SUBSCRIBER_CONNECTION: RedisOptions = Object.freeze({
  lazyConnect: true,
  retryStrategy: null,
  autoResubscribe: false,
  autoResendUnfulfilledCommands: false,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
});

export type SubscriptionKind = "channel" | "pattern" | "shard";

const CHUNK = 500;

type Direction = "subscribe" | "unsubscribe";

export function send(
  redis: Redis,
  kind: SubscriptionKind,
  direction: Direction,
  names: string[],
): Promise<unknown> {
  switch (kind) {
    case "channel":
      return direction === "subscribe" ? redis.subscribe(...names) : redis.unsubscribe(...names);
    case "pattern":
      return direction === "subscribe" ? redis.psubscribe(...names) : redis.punsubscribe(...names);
    case "shard":
      return direction === "subscribe" ? redis.ssubscribe(...names) : redis.sunsubscribe(...names);
  }
}

/** Subscribes to everything wanted; resolves to what was sent, once Redis confirmed all of it. */
export async function resubscribeAll(
  redis: Redis,
  desired: Readonly<Record<SubscriptionKind, ReadonlySet<string>>>,
): Promise<Record<SubscriptionKind, string[]>> {
  const channels = [...desired.channel];
  const patterns = [...desired.pattern];
  const shards = [...desired.shard];
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < channels.length; i += CHUNK)
    work.push(redis.subscribe(...channels.slice(i, i + CHUNK)));
  for (let i = 0; i < patterns.length; i += CHUNK)
    work.push(redis.psubscribe(...patterns.slice(i, i + CHUNK)));
  for (const group of groupBySlot(shards)) work.push(redis.ssubscribe(...group));
  await Promise.all(work);
  return { channel: channels, pattern: patterns, shard: shards };
}

/** SSUBSCRIBE takes channels of one slot at a time. */
function groupBySlot(channels: readonly string[]): string[][] {
  const groups = new Map<number, string[]>();
  for (const channel of channels) {
    const slot = keySlot(channel);
    const group = groups.get(slot);
    if (group) group.push(channel);
    else groups.set(slot, [channel]);
  }
  return [...groups.values()];
}

/** Names removed while they were being resubscribed are unsubscribed again. */
export function unsubscribeStale(
  redis: Redis,
  sent: Readonly<Record<SubscriptionKind, readonly string[]>>,
  desired: Readonly<Record<SubscriptionKind, ReadonlySet<string>>>,
): void {
  for (const kind of ["channel", "pattern", "shard"] as const) {
    const stale = sent[kind].filter((name) => !desired[kind].has(name));
    for (const name of stale) send(redis, kind, "unsubscribe", [name]).catch(() => {});
  }
}
