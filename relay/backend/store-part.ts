/**
 * The client's event-store side: the store and writer built from `EventBusConfig.store` (or
 * EVENT_BUS_STORE_URL), the admission the publisher asks before each publish, `bus.events` for
 * reads and replays (the Redis history when no store is configured), and the store's part of
 * health, stats and shutdown.
 */
import type { Broker } from "../brokers/broker.js";
import { RedisHistoryStore } from "../store/redis-history-store.js";
import { type BuiltStore, buildStore } from "../store/store-config.js";
import type { RecordTicket, StoreWriterStats } from "../store/store-writer.js";
import type { Settings } from "./config.js";
import { EventsApi } from "./events-api.js";
import { errorFields } from "./logger.js";
import type { EventBusConfig, StoreHealth } from "./types.js";

export class StorePart {
  readonly events: EventsApi;
  /** For the publisher: a ticket when this type is stored (throws STORE_BACKLOG_FULL when full). */
  readonly recorder: ((type: string) => RecordTicket | undefined) | undefined;
  private readonly built: BuiltStore | undefined;

  constructor(config: EventBusConfig, settings: Settings, broker: () => Promise<Broker>) {
    const { logger } = settings;
    this.built = buildStore(
      config.store,
      (state, error) => {
        if (state === "retrying")
          logger.warn(
            { ...errorFields(error) },
            "event-bus: the event store is failing; events are queued and retried",
          );
        else logger.info("event-bus: the event store is writing again");
      },
      settings.clock,
    );
    const built = this.built;
    this.recorder = built && ((type) => (built.wants(type) ? built.writer.admit() : undefined));
    const history = new RedisHistoryStore(broker, settings.names);
    this.events = new EventsApi({ store: () => built?.store ?? history, broker, names: settings.names });
  }

  stats(): StoreWriterStats | undefined {
    return this.built?.writer.stats();
  }

  health(): StoreHealth | undefined {
    const stats = this.stats();
    if (!stats || !this.built) return undefined;
    return {
      kind: this.built.store.kind,
      status: stats.state === "ok" ? "ok" : "retrying",
      queued: stats.queued,
      maxQueued: stats.maxQueued,
      lastError: stats.state === "ok" ? null : stats.lastError,
    };
  }

  /** Writes what is queued (bounded by flushTimeoutMs), then closes the store it built. */
  async close(settings: Settings): Promise<void> {
    const built = this.built;
    if (!built) return;
    built.stopRetention();
    const left = await built.writer.flush(built.flushTimeoutMs);
    built.writer.close();
    if (left > 0) {
      settings.logger.error(
        { unwritten: left, lastError: built.writer.stats().lastError },
        "event-bus: disconnected with events not yet written to the event store",
      );
    }
    if (built.owned) await built.store.close();
  }
}
