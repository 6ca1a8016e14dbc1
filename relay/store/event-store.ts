/**
 * The event store: where published events are kept for audit and replay, read back by type,
 * channel, aggregate and time with cursor pagination, in stored order. Implementations:
 *   - RedisHistoryStore (redis-history-store.ts): the Redis streams the bus keeps anyway — a
 *     recoverable channel's history, an event type's group stream. Bounded; the default.
 *   - PostgresEventStore (postgres/postgres-store.ts): durable audit and long retention.
 *   - MemoryEventStore (memory-store.ts): bounded, in one process (development, the playground).
 * Writable stores are written by the publishing client off the publish path (store-writer.ts).
 */
import type { EventEnvelope } from "../../protocol/envelope.js";

/** A stored event: the envelope, the channel it was published on, and its place in the store. */
export type StoredEvent<Envelope extends EventEnvelope = EventEnvelope> = Envelope & {
  /** The channel it was published on (with the prefix), e.g. `photo.uploaded` or `user:u1`. */
  readonly channel: string;
  /** Its position in the store: pass it as `cursor` to read what was stored after it. */
  readonly cursor: string;
};

export interface EventQuery {
  /** Event types, exact or `*` globs (`photo.*`); any of them. Default: all. */
  readonly types?: readonly string[];
  /** One channel, as handlers see it (`event.channel`, with the prefix). */
  readonly channel?: string;
  /** Events whose aggregate is this (by default `metadata.aggregateId`). */
  readonly aggregateId?: string;
  /** Published at or after (metadata.timestamp): a Date, ISO 8601 text or epoch ms. */
  readonly since?: Date | string | number;
  /** Published before. */
  readonly until?: Date | string | number;
  /** Page size, 1-1000. Default 100. */
  readonly limit?: number;
  /** Continue after this position (the `cursor` of a page, or of an event). */
  readonly cursor?: string;
}

export interface EventPage {
  /** In stored order. */
  readonly events: StoredEvent[];
  /** Where the next page starts; null when this page reached the end. */
  readonly cursor: string | null;
}

/** What a writable store keeps per event. */
export interface EventRecord {
  readonly id: string;
  readonly type: string;
  readonly channel: string;
  readonly aggregateId: string | undefined;
  readonly source: string;
  /** metadata.timestamp (ISO 8601). */
  readonly occurredAt: string;
  /** The envelope as JSON. */
  readonly json: string;
}

export type EventStoreKind = "redis-history" | "postgres" | "memory";

export interface EventStore {
  readonly kind: EventStoreKind;
  /** One page of events matching the query, in stored order. */
  read(query: EventQuery): Promise<EventPage>;
  close(): Promise<void>;
}

export interface WritableEventStore extends EventStore {
  /** Appends in order; idempotent by event id (an id already stored is skipped, never duplicated). */
  append(records: readonly EventRecord[]): Promise<void>;
}

export function isWritable(store: EventStore): store is WritableEventStore {
  return typeof (store as Partial<WritableEventStore>).append === "function";
}
