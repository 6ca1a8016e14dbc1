/**
 * An event store in one process: the newest `maxEvents` events (default 100 000), idempotent by
 * id, in stored order. For development and the playground (`npm start` needs no PostgreSQL), and
 * as the reference the PostgreSQL store is tested against (the same contract suite runs on both).
 */
import type { EventEnvelope } from "../../protocol/envelope.js";
import { normaliseQuery, queryMatcher } from "./event-query.js";
import type { EventPage, EventQuery, EventRecord, StoredEvent, WritableEventStore } from "./event-store.js";

interface Row {
  readonly seq: number;
  readonly record: EventRecord;
  readonly timeMs: number;
}

export class MemoryEventStore implements WritableEventStore {
  readonly kind = "memory";
  private rows: Row[] = [];
  private readonly ids = new Set<string>();
  private seq = 0;

  constructor(private readonly maxEvents = 100_000) {}

  get size(): number {
    return this.rows.length;
  }

  async append(records: readonly EventRecord[]): Promise<void> {
    for (const record of records) {
      if (this.ids.has(record.id)) continue;
      this.ids.add(record.id);
      this.rows.push({ seq: ++this.seq, record, timeMs: Date.parse(record.occurredAt) });
    }
    if (this.rows.length > this.maxEvents) {
      for (const row of this.rows.splice(0, this.rows.length - this.maxEvents))
        this.ids.delete(row.record.id);
    }
  }

  async read(query: EventQuery): Promise<EventPage> {
    const q = normaliseQuery(query);
    const matches = queryMatcher(q);
    const after = q.cursor === undefined ? 0 : Number(q.cursor);
    const events: StoredEvent[] = [];
    for (const row of this.rows) {
      if (row.seq <= after) continue;
      const { type, channel, aggregateId } = row.record;
      if (!matches({ type, channel, aggregateId, timeMs: row.timeMs })) continue;
      events.push(storedEvent(row.record.json, channel, String(row.seq)));
      if (events.length === q.limit) break;
    }
    return { events, cursor: events.length === q.limit ? (events.at(-1)?.cursor ?? null) : null };
  }

  async close(): Promise<void> {}
}

/** A stored event from its envelope JSON. */
export function storedEvent(json: string, channel: string, cursor: string): StoredEvent {
  const { id, type, data, metadata } = JSON.parse(json) as EventEnvelope;
  return { id, type, data, metadata, channel, cursor };
}
