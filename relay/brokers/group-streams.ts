/**
 * Consumer-group streams, at the broker level: what backend consumer groups (relay/backend/groups)
 * run on. Every event type that has at least one group has a capped stream, `{<channel>}:events`
 * (protocol/channels.ts `eventStreamKeys`); `Broker.publishEvent` appends each publish of the type
 * to it in the same atomic step as the PUBLISH, and groups read it with Redis Streams consumer
 * groups (XREADGROUP, XACK, XAUTOCLAIM). The memory broker implements the same semantics in one
 * process (memory/memory-streams.ts).
 *
 * Messages are opaque strings here, as everywhere in the brokers.
 */

/** How much of a type's stream is kept: whichever bound is hit first trims the oldest entries. */
export interface StreamBounds {
  /** Entries kept (trimmed approximately: Redis may keep up to ~100 more). */
  readonly maxLength: number;
  /** Entries older than this are trimmed, ms; 0 = no age bound. */
  readonly maxAgeMs: number;
}

/** One entry delivered to a consumer of a group. */
export interface GroupEntry {
  /** The stream entry id (`<ms>-<seq>`). */
  readonly id: string;
  readonly message: string;
  /** Set on entries replayed to one group: consumers of every other group skip them. */
  readonly onlyGroup?: string;
  /** Deliveries to a consumer of this group so far, this one included (1 on the first). */
  readonly deliveries: number;
}

export interface ClaimResult {
  readonly entries: readonly GroupEntry[];
  /** Pending ids whose entries had been trimmed away before anyone handled them (gone). */
  readonly trimmed: readonly string[];
  /** Where the next claim continues ("0-0" once the scan wrapped around). */
  readonly cursor: string;
}

export interface GroupInfo {
  readonly group: string;
  readonly consumers: number;
  /** Delivered to a consumer and not yet acknowledged. */
  readonly pending: number;
  /** Entries in the stream not yet delivered to this group; null when Redis cannot tell (after trimming). */
  readonly lag: number | null;
  readonly lastDeliveredId: string;
  /** Age of the oldest pending entry (since it was published), ms; null when nothing is pending. */
  readonly oldestPendingAgeMs: number | null;
}

export interface StreamInfo {
  /** Entries in the stream now. */
  readonly length: number;
  /** The stream's bounds; null when the type has no groups (nothing is appended). */
  readonly bounds: StreamBounds | null;
  /** Age of the oldest entry kept, ms; null when empty. */
  readonly oldestAgeMs: number | null;
  readonly groups: readonly GroupInfo[];
}

/** A raw stream entry, for reading stored events (relay/store/redis-history-store.ts). */
export interface StreamRecord {
  readonly id: string;
  readonly message: string;
}

/** Which stream of a channel to read: a recoverable channel's history, or an event type's group stream. */
export type StreamSource = "history" | "events";

export interface GroupStreams {
  /**
   * Declares the type's stream (writes its bounds: the last caller's win) and creates the group at
   * the stream's end when it does not exist. From the moment this resolves, every publishEvent of
   * the type is kept for the group. Resolves true when the group was created now.
   */
  createGroup(channel: string, group: string, bounds: StreamBounds): Promise<boolean>;
  /** New entries for `consumer` (never delivered to the group before), oldest first, at most `count`. */
  read(channel: string, group: string, consumer: string, count: number): Promise<GroupEntry[]>;
  /** Acknowledges handled entries; resolves to how many were pending. */
  ack(channel: string, group: string, ids: readonly string[]): Promise<number>;
  /**
   * Takes over entries that have been pending for at least `minIdleMs` (their consumer died or
   * stalled), continuing a scan from `cursor` ("0-0" to start); each claim counts as a delivery.
   */
  claim(
    channel: string,
    group: string,
    consumer: string,
    options: { readonly minIdleMs: number; readonly count: number; readonly cursor: string },
  ): Promise<ClaimResult>;
  /**
   * Heartbeat: resets the idle time of the entries `consumer` still owns (so nobody claims them
   * while they are being handled); with `deliveries`, also records that many deliveries (a retry
   * counts as one). Resolves to the ids it still owned.
   */
  touch(
    channel: string,
    group: string,
    consumer: string,
    ids: readonly string[],
    deliveries?: number,
  ): Promise<string[]>;
  /** Length, bounds and the state of every group of the type's stream. */
  info(channel: string): Promise<StreamInfo>;
  /**
   * Appends a message to the type's stream without publishing it live, for `onlyGroup` alone
   * (replaying stored events to one group). Resolves to the entry id, or null when the type has
   * no groups.
   */
  append(channel: string, message: string, onlyGroup: string): Promise<string | null>;
  /** Entries after `after` (exclusive; default from the oldest), oldest first, at most `count`. */
  range(
    source: StreamSource,
    channel: string,
    options: { readonly after?: string; readonly count: number },
  ): Promise<StreamRecord[]>;
  /** Forgets a consumer that owns no pending entries; resolves false (and keeps it) otherwise. */
  removeConsumer(channel: string, group: string, consumer: string): Promise<boolean>;
}

/** Compares stream ids ("ms-seq"). */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am - bm || as - bs;
}

/** The millisecond part of a stream id. */
export function streamIdTime(id: string): number {
  return Number(id.slice(0, id.indexOf("-")));
}
