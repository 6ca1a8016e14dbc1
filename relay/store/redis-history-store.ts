/**
 * The default event store: what Redis keeps anyway, read through the broker — a recoverable
 * channel's history (`{<channel>}:history`: the last 1000 events / 5 minutes by default) or an
 * event type's group stream (`{<type>}:events`, kept while the type has consumer groups, bounded
 * by groups.maxLength / maxAgeMs). So a read names one channel, or exactly one event type; the
 * other filters are applied here while scanning. Read-only: the publishes themselves write it.
 */
import type { ChannelNames } from "../../protocol/channels.js";
import { EventBusError } from "../../protocol/errors.js";
import type { Broker } from "../brokers/broker.js";
import { type NormalQuery, normaliseQuery, queryMatcher, singleExactType } from "./event-query.js";
import type { EventPage, EventQuery, EventStore, StoredEvent } from "./event-store.js";
import { storedEvent } from "./memory-store.js";

/** Entries scanned per read at most (the filters apply while scanning). */
const SCAN_LIMIT = 20_000;
const SCAN_PAGE = 500;

export class RedisHistoryStore implements EventStore {
  readonly kind = "redis-history";

  constructor(
    private readonly broker: () => Promise<Broker>,
    private readonly names: ChannelNames,
  ) {}

  async read(query: EventQuery): Promise<EventPage> {
    const q = normaliseQuery(query);
    const { source, channel } = this.sourceOf(q);
    const matches = queryMatcher(q);
    const broker = await this.broker();
    const events: StoredEvent[] = [];
    let after = q.cursor?.includes("-") ? q.cursor : undefined;
    for (let scanned = 0; scanned < SCAN_LIMIT && events.length < q.limit; ) {
      const page = await broker.streams.range(source, channel, { count: SCAN_PAGE, ...(after && { after }) });
      for (const { id, message } of page) {
        after = id;
        const event = parse(message, channel, id);
        if (event && matches(facts(event))) events.push(event);
        if (events.length === q.limit) break;
      }
      scanned += page.length;
      if (page.length < SCAN_PAGE)
        return { events, cursor: events.length === q.limit ? (after ?? null) : null };
    }
    return { events, cursor: after ?? null };
  }

  async close(): Promise<void> {}

  private sourceOf(q: NormalQuery): { source: "history" | "events"; channel: string } {
    const type = singleExactType(q);
    const channel = q.channel ?? (type === undefined ? undefined : this.names.event(type));
    const parsed = channel === undefined ? null : this.names.parse(channel);
    if (channel === undefined || !parsed) {
      throw new EventBusError(
        "INVALID_OPTIONS",
        "events.read: the Redis history store reads one channel at a time: give `channel` (e.g. 'room:photo:1'), or exactly one event type; configure `store` (PostgreSQL) to query across channels.",
      );
    }
    return { source: parsed.recoverable ? "history" : "events", channel };
  }
}

function parse(message: string, channel: string, id: string): StoredEvent | undefined {
  try {
    return storedEvent(message, channel, id);
  } catch {
    return undefined;
  }
}

function facts(event: StoredEvent) {
  return {
    type: event.type,
    channel: event.channel,
    aggregateId: event.metadata.aggregateId,
    timeMs: Date.parse(event.metadata.timestamp),
  };
}
