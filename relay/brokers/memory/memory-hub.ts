/**
 * The in-process stand-in for a Redis server: pub/sub with Redis glob patterns, per-channel
 * history with offsets and epochs, presence, values and logs — the same semantics as the Redis
 * scripts, so the same contract tests pass on both. Every MemoryBroker is a connection to a hub;
 * brokers created without one share `defaultMemoryHub`, so a relay and a backend library in one
 * process talk to each other with no configuration.
 *
 * Expiry is evaluated lazily against an injectable clock.
 */

import { type Clock, systemClock } from "../../../common/clock.js";
import { getOrCreate } from "../../../common/collections.js";
import { compileGlob, type GlobMatcher } from "../../../protocol/glob.js";
import { type StreamPosition, withPosition } from "../../../protocol/position.js";
import type {
  HistoryOptions,
  PublishRecoverableResult,
  ReadHistoryResult,
  RenewEpochResult,
} from "../broker.js";
import type { StreamRecord } from "../group-streams.js";
import { ChannelHistory } from "./memory-history.js";
import { MemoryLogs } from "./memory-logs.js";
import { MemoryPresence } from "./memory-presence.js";
import { MemoryStreams } from "./memory-streams.js";

export interface HubSubscriber {
  deliver(channel: string, message: string, pattern: string | undefined): void;
}

interface Expiring<T> {
  readonly value: T;
  readonly expiresAt: number;
}

interface Delivery {
  readonly subscriber: HubSubscriber;
  readonly channel: string;
  readonly message: string;
  readonly pattern: string | undefined;
}

export class MemoryHub {
  private readonly clock: Clock;
  private readonly channels = new Map<string, Set<HubSubscriber>>();
  private readonly patterns = new Map<string, { match: GlobMatcher; subscribers: Set<HubSubscriber> }>();
  private readonly histories = new Map<string, ChannelHistory>();
  private readonly dedup = new Map<string, Expiring<StreamPosition>>();
  private readonly values = new Map<string, Expiring<string>>();
  private readonly queue: Delivery[] = [];
  private draining = false;
  /** Event types' group streams (consumer groups). */
  readonly streams: MemoryStreams;
  /** Room presence. */
  readonly presence: MemoryPresence;
  /** Capped logs (dead letters). */
  readonly logs: MemoryLogs;

  constructor(options: { readonly clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
    const now = () => this.clock.now();
    this.streams = new MemoryStreams(now);
    this.presence = new MemoryPresence(now);
    this.logs = new MemoryLogs(now);
  }

  /** An event-type publish: appended to the type's group stream when it has groups, then published. */
  publishEvent(channel: string, message: string): number {
    this.streams.appendIfGrouped(channel, message);
    return this.publish(channel, message);
  }

  /** A recoverable channel's history entries after `after` (stream ids `<offset>-0`). */
  historyRange(channel: string, after: string | undefined, count: number): StreamRecord[] {
    const record = this.histories.get(channel);
    if (!record || this.clock.now() >= record.historyExpiresAt) return [];
    const from = after === undefined ? 0 : Number(after.split("-")[0]);
    return record.entries
      .filter((e) => e.offset > from)
      .slice(0, count)
      .map((e) => ({ id: `${e.offset}-0`, message: e.message }));
  }

  // ---- pub/sub ----
  subscribe(subscriber: HubSubscriber, channel: string): void {
    getOrCreate(this.channels, channel, () => new Set()).add(subscriber);
  }

  unsubscribe(subscriber: HubSubscriber, channel: string): void {
    const set = this.channels.get(channel);
    if (set?.delete(subscriber) && set.size === 0) this.channels.delete(channel);
  }

  psubscribe(subscriber: HubSubscriber, pattern: string): void {
    getOrCreate(this.patterns, pattern, () => ({
      match: compileGlob(pattern),
      subscribers: new Set(),
    })).subscribers.add(subscriber);
  }

  punsubscribe(subscriber: HubSubscriber, pattern: string): void {
    const entry = this.patterns.get(pattern);
    if (entry?.subscribers.delete(subscriber) && entry.subscribers.size === 0) this.patterns.delete(pattern);
  }

  /** Queues delivery to everyone subscribed now, in publish order; returns the receiver count. */
  publish(channel: string, message: string): number {
    let receivers = 0;
    for (const subscriber of this.channels.get(channel) ?? []) {
      this.queue.push({ subscriber, channel, message, pattern: undefined });
      receivers++;
    }
    for (const [pattern, { match, subscribers }] of this.patterns) {
      if (!match(channel)) continue;
      for (const subscriber of subscribers) {
        this.queue.push({ subscriber, channel, message, pattern });
        receivers++;
      }
    }
    if (receivers > 0 && !this.draining) {
      this.draining = true;
      queueMicrotask(() => this.drain());
    }
    return receivers;
  }

  private drain(): void {
    // Deliveries queued by listeners while draining are appended and delivered in order.
    for (let i = 0; i < this.queue.length; i++) {
      const { subscriber, channel, message, pattern } = this.queue[i] as Delivery;
      subscriber.deliver(channel, message, pattern);
    }
    this.queue.length = 0;
    this.draining = false;
  }

  // ---- history ----
  private history(channel: string, options: HistoryOptions): ChannelHistory {
    const now = this.clock.now();
    let record = this.histories.get(channel);
    if (record && now >= record.metaExpiresAt) record = undefined;
    if (!record) {
      record = new ChannelHistory();
      this.histories.set(channel, record);
    }
    if (now >= record.historyExpiresAt) record.expireMessages();
    record.metaExpiresAt = now + options.metaTtlMs;
    return record;
  }

  publishRecoverable(
    channel: string,
    envelopeJson: string,
    options: HistoryOptions,
    dedupId: string | undefined,
    dedupTtlMs: number,
  ): PublishRecoverableResult {
    const now = this.clock.now();
    const dedupKey = dedupId === undefined ? undefined : `${channel}\u0000${dedupId}`;
    if (dedupKey !== undefined) {
      const previous = this.dedup.get(dedupKey);
      if (previous && now < previous.expiresAt) return { ...previous.value, duplicate: true };
    }
    const record = this.history(channel, options);
    const offset = ++record.top;
    const message = withPosition(envelopeJson, { offset, epoch: record.epoch });
    record.append(message, options);
    record.historyExpiresAt = now + options.ttlMs;
    if (dedupKey !== undefined) {
      this.dedup.set(dedupKey, { value: { offset, epoch: record.epoch }, expiresAt: now + dedupTtlMs });
      this.sweepDedup(now);
    }
    this.publish(channel, message);
    return { offset, epoch: record.epoch, duplicate: false };
  }

  position(channel: string, options: HistoryOptions): StreamPosition {
    return this.history(channel, options).position();
  }

  readHistory(
    channel: string,
    since: StreamPosition,
    page: { readonly limit: number; readonly maxBytes: number },
    options: HistoryOptions,
  ): ReadHistoryResult {
    return this.history(channel, options).read(since, page);
  }

  /** See Broker.renewEpoch. */
  renewEpoch(channel: string, seen: StreamPosition, options: HistoryOptions): RenewEpochResult {
    const record = this.history(channel, options);
    const renewed = record.renew(seen);
    return { renewed, position: { offset: record.top, epoch: record.epoch } };
  }

  private sweepDedup(now: number): void {
    if (this.dedup.size % 1024 !== 0) return;
    for (const [key, { expiresAt }] of this.dedup) if (now >= expiresAt) this.dedup.delete(key);
  }

  // ---- values and logs ----
  setValue(key: string, value: string, ttlMs: number): void {
    this.values.set(key, { value, expiresAt: this.clock.now() + ttlMs });
  }

  getValue(key: string): string | null {
    const entry = this.values.get(key);
    if (!entry) return null;
    if (this.clock.now() < entry.expiresAt) return entry.value;
    this.values.delete(key);
    return null;
  }

  deleteKey(key: string): void {
    this.values.delete(key);
    this.logs.delete(key);
  }

  /** Forgets everything, as a Redis restart without persistence would (subscriptions survive). */
  flush(): void {
    this.histories.clear();
    this.dedup.clear();
    this.values.clear();
    this.presence.clear();
    this.logs.clear();
    this.streams.clear();
  }

  /** Exact channels and patterns with at least one subscriber (PUBSUB CHANNELS / NUMPAT). */
  activeSubscriptions(): { channels: string[]; patterns: string[] } {
    return { channels: [...this.channels.keys()], patterns: [...this.patterns.keys()] };
  }
}

/** The hub every MemoryBroker uses unless given another: one per process. */
export const defaultMemoryHub = new MemoryHub();
