/**
 * The brokers folder (relay/brokers/): this interface (the main file), create-broker.ts (from
 * config or env), memory/ (in-process) and redis/ (Redis and Redis Cluster, Lua scripts). Brokers
 * import only the contract and common/; the relay and the backend library run on them.
 *
 * The one interface the relay and the backend library run on. Three implementations behave the
 * same (one contract test suite runs against all of them): in-process memory (the embedded
 * default), Redis, and Redis Cluster.
 *
 * Message strings are opaque here: the broker moves them, it never parses them.
 */
import type { StreamPosition } from "../../protocol/position.js";
import type { GroupStreams } from "./group-streams.js";

export type BrokerKind = "memory" | "redis" | "cluster";

/**
 * - `connecting`: first connection under way
 * - `ready`: connected and every subscription confirmed
 * - `reconnecting`: connection lost; publishes wait (bounded) and subscriptions will be restored
 * - `closed`: close() was called
 */
export type BrokerStatus = "connecting" | "ready" | "reconnecting" | "closed";

export type MessageListener = (channel: string, message: string) => void;
export type PatternListener = (channel: string, message: string, pattern: string) => void;
export type Unsubscribe = () => Promise<void>;

export interface HistoryOptions {
  /** Messages kept per recoverable channel. Default 1000. */
  readonly maxLength: number;
  /**
   * Bytes of messages kept per recoverable channel: the oldest are dropped beyond it (the newest is
   * always kept). Default 8 MiB — without it, 1,000 events of 512 KB would be 512 MB per channel.
   */
  readonly maxBytes: number;
  /** A channel's history expires this long after its last publish. Default 5 minutes. */
  readonly ttlMs: number;
  /**
   * How long a channel's offset counter and epoch outlive its last publish. While they live, a
   * client whose position is the newest offset is told `recovered: true` even after the history
   * itself expired (it missed nothing). Default 24 hours.
   */
  readonly metaTtlMs: number;
}

export const DEFAULT_HISTORY: HistoryOptions = Object.freeze({
  maxLength: 1000,
  maxBytes: 8 * 1024 * 1024,
  ttlMs: 5 * 60_000,
  metaTtlMs: 24 * 3600_000,
});

export interface PublishRecoverableOptions {
  /**
   * De-duplication id (a client's message id): if a message with this id was published on this
   * channel within `dedupTtlMs`, nothing is published and the first result is returned with
   * `duplicate: true`.
   */
  readonly dedupId?: string;
  /** Default 10 minutes. */
  readonly dedupTtlMs?: number;
}

export interface PublishRecoverableResult extends StreamPosition {
  readonly duplicate: boolean;
}

export interface ReadHistoryResult {
  /** The channel's newest position (creating its epoch if it had none). */
  readonly position: StreamPosition;
  /**
   * True when every message after `since` is still available: `messages` holds the first of
   * them (up to `limit`) and `more` says whether further pages follow. False when the epoch
   * differs or messages after `since` were trimmed or expired; `messages` is then empty.
   */
  readonly recovered: boolean;
  readonly messages: readonly string[];
  readonly more: boolean;
  /**
   * True when `since` is no longer part of this epoch's history: its offset is past the newest, or
   * `since.id` differs from the event stored at that offset — the history was rolled back (a
   * failover lost acknowledged writes, docs/architecture.md "Rollbacks"). `recovered` is then false.
   */
  readonly diverged?: boolean;
}

export interface RenewEpochResult {
  /** True when this call started the new epoch; false when the history agreed or another caller renewed it. */
  readonly renewed: boolean;
  /** The channel's position now (offset 0 of the new epoch after a renewal). */
  readonly position: StreamPosition;
}

export interface PresenceRecord {
  readonly connectionId: string;
  readonly userId: string;
  readonly info?: Readonly<Record<string, unknown>>;
}

export interface LogEntry {
  readonly id: string;
  readonly value: string;
}

export interface BrokerEvents {
  status: (status: BrokerStatus) => void;
  /**
   * After a reconnect, once every subscription is confirmed again: the exact channels whose live
   * delivery may have missed messages while the connection was down. The relay answers with
   * `resync` frames so clients recover from history.
   */
  resubscribed: (channels: readonly string[]) => void;
  /** Errors that have no caller to reject (connection errors). Never thrown. */
  error: (error: Error) => void;
}

export interface Broker {
  readonly kind: BrokerKind;
  readonly status: BrokerStatus;
  readonly history: HistoryOptions;

  /** Connects (idempotent). Rejects with BROKER_UNAVAILABLE if the first connection fails. */
  connect(): Promise<void>;
  /** Waits for in-flight publishes, then closes every connection. Idempotent. */
  close(): Promise<void>;
  /** Round-trip time in milliseconds; rejects with BROKER_UNAVAILABLE when unreachable. */
  ping(): Promise<number>;
  on<E extends keyof BrokerEvents>(event: E, listener: BrokerEvents[E]): () => void;

  // ---- publishing ----
  /**
   * Live-only publish, not kept in history: PUBLISH (on a cluster, SPUBLISH for recoverable
   * channels, which relays subscribe to with SSUBSCRIBE — e.g. the relay's `$presence` and
   * `$session` system messages). Resolves to the number of subscriptions that received it.
   */
  publish(channel: string, message: string): Promise<number>;
  /**
   * An event-type publish: PUBLISH, and — in the same atomic step — an append to the type's group
   * stream when the type has consumer groups (group-streams.ts). Resolves to the number of live
   * subscriptions that received it.
   */
  publishEvent(channel: string, message: string): Promise<number>;
  /**
   * Atomically: assigns the next offset of the channel, appends the message to the channel's
   * capped history and publishes it (SPUBLISH on a cluster). The published and stored message is
   * `withPosition(envelopeJson, { offset, epoch })` (protocol/position.ts).
   */
  publishRecoverable(
    channel: string,
    envelopeJson: string,
    options?: PublishRecoverableOptions,
  ): Promise<PublishRecoverableResult>;

  // ---- consumer groups (event-type streams) ----
  readonly streams: GroupStreams;

  // ---- history ----
  /**
   * The channel's newest position; creates its epoch (offset 0) when it has none. The position
   * carries the newest event's `id` while the history still holds it.
   */
  position(channel: string): Promise<StreamPosition>;
  /**
   * Messages after `since`, oldest first, at most `limit`. When `since.id` is given and the event
   * stored at `since.offset` has another id, the history diverged: `recovered: false`.
   */
  readHistory(
    channel: string,
    since: StreamPosition,
    limit: number,
    maxBytes?: number,
  ): Promise<ReadHistoryResult>;
  /**
   * Starts a new epoch (offset 0, history dropped) if the history no longer holds `seen` — same
   * epoch, but its offset is past the newest or holds another event than `seen.id`. Atomic, so many
   * relays noticing one rollback renew the epoch once. Every client then gets `gap` for the channel.
   */
  renewEpoch(channel: string, seen: StreamPosition): Promise<RenewEpochResult>;

  // ---- subscriptions ----
  /**
   * Subscribes to one exact channel (SUBSCRIBE; SSUBSCRIBE for recoverable channels on a
   * cluster). Resolves once Redis confirmed the subscription: a message published after the
   * promise resolves is delivered. Listeners of one channel share one Redis subscription; the
   * returned function removes this listener and unsubscribes from Redis after the last one.
   */
  subscribe(channel: string, listener: MessageListener): Promise<Unsubscribe>;
  /** Same for a Redis glob (PSUBSCRIBE). On a cluster, patterns see only classic-PUBLISHed channels. */
  psubscribe(pattern: string, listener: PatternListener): Promise<Unsubscribe>;
  /** Channels and patterns this broker is subscribed to in Redis right now. */
  subscriptions(): { readonly channels: readonly string[]; readonly patterns: readonly string[] };

  // ---- presence (rooms) ----
  /** Adds or refreshes connections in a channel's presence; each entry expires after `ttlMs`. */
  presenceAdd(channel: string, records: readonly PresenceRecord[], ttlMs: number): Promise<void>;
  presenceRemove(channel: string, connectionIds: readonly string[]): Promise<void>;
  /**
   * Live entries, and the entries that had expired (their relay died); expired entries are
   * deleted by this call, so exactly one caller sees each of them in `expired`.
   */
  presenceList(
    channel: string,
  ): Promise<{ readonly members: readonly PresenceRecord[]; readonly expired: readonly PresenceRecord[] }>;

  // ---- small key/value and logs (revocations, dead letters) ----
  setValue(key: string, value: string, ttlMs: number): Promise<void>;
  getValue(key: string): Promise<string | null>;
  /** Appends to a capped log (a Redis stream); resolves to the entry id. */
  appendLog(key: string, value: string, maxLength: number): Promise<string>;
  /** Entries after `after` (exclusive; default from the start), oldest first. */
  readLog(
    key: string,
    options: { readonly after?: string; readonly count: number },
  ): Promise<readonly LogEntry[]>;
  /** Removes entries; resolves to how many existed. */
  deleteLog(key: string, ids: readonly string[]): Promise<number>;
  deleteKey(key: string): Promise<void>;
}
