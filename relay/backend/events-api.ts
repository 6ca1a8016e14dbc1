/**
 * `bus.events`: read stored events (by type, channel, aggregate and time, with a cursor) and replay
 * them to a handler or to one consumer group, in stored order — from the configured store
 * (PostgreSQL, or any writable store), else from the Redis history (relay/store).
 */
import type { ChannelNames } from "../../protocol/channels.js";
import type { Broker } from "../brokers/broker.js";
import type { EventPage, EventQuery, EventStore, EventStoreKind } from "../store/event-store.js";
import {
  type EventReplayResult,
  type ReplayHandler,
  type ReplayTarget,
  replayEvents,
} from "../store/replay.js";

export class EventsApi {
  constructor(
    private readonly deps: {
      readonly store: () => EventStore;
      readonly broker: () => Promise<Broker>;
      readonly names: ChannelNames;
    },
  ) {}

  /** Which store reads go to. */
  get storeKind(): EventStoreKind {
    return this.deps.store().kind;
  }

  /** One page of stored events, in stored order; continue with `{ ...query, cursor: page.cursor }`. */
  read(query: EventQuery = {}): Promise<EventPage> {
    try {
      return this.deps.store().read(query);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Feeds every stored event matching `query` to `handler` one at a time, or appends them to their
   * types' group streams for `{ group }` only; resolves to how many were replayed.
   */
  replay(query: EventQuery, target: ReplayHandler | ReplayTarget): Promise<EventReplayResult> {
    try {
      const { broker, names } = this.deps;
      return replayEvents({ store: this.deps.store(), broker, names }, query, target);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
