/**
 * Prometheus metrics of one EventBusClient (`bus.metrics()`), for the service's own /metrics:
 * every value is read from getStats() when scraped — publish and handler counts, each consumer
 * group's backlog (pending, lag, oldest pending age, stream length and bound) and the event
 * store's write queue. One registry per client: two clients in a process never share series.
 */
import { Gauge, Registry } from "prom-client";
import type { EventBusStats } from "./types.js";

export interface BackendMetrics {
  readonly registry: Registry;
}

const PREFIX = "eventbus_backend_";
const GROUP_LABELS = ["type", "group", "consumer"] as const;

type Reader = (stats: EventBusStats, set: (labels: Record<string, string>, value: number) => void) => void;

export function createBackendMetrics(read: () => Promise<EventBusStats>): BackendMetrics {
  const registry = new Registry();
  let pending: Promise<EventBusStats> | undefined;
  // One getStats() per scrape, shared by every gauge.
  const snapshot = () => {
    pending ??= read().finally(() => setTimeout(() => (pending = undefined), 0));
    return pending;
  };
  const gauge = (name: string, help: string, labelNames: readonly string[], fill: Reader) =>
    new Gauge({
      name: PREFIX + name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        fill(await snapshot(), (labels, value) => this.set(labels, value));
      },
    });
  const totals = (name: string, help: string, pick: (s: EventBusStats) => number) =>
    gauge(name, help, [], (s, set) => set({}, pick(s)));
  totals("events_published", "Events this client published (since it started).", (s) => s.eventsPublished);
  totals("events_delivered", "Handler runs that succeeded.", (s) => s.eventsDelivered);
  totals("events_failed", "Handler runs that went to the dead letters.", (s) => s.eventsFailed);
  const perGroup = (
    name: string,
    help: string,
    pick: (g: EventBusStats["groups"][number]) => number | null,
  ) =>
    gauge(name, help, GROUP_LABELS, (s, set) => {
      for (const g of s.groups) {
        const value = pick(g);
        if (value !== null) set({ type: g.type, group: g.group, consumer: g.consumer }, value);
      }
    });
  perGroup("group_pending", "Events delivered to the group and not yet acknowledged.", (g) => g.pending);
  perGroup("group_lag", "Events published and not yet delivered to the group.", (g) => g.lag);
  perGroup(
    "group_oldest_pending_seconds",
    "Age of the group's oldest pending event since it was published.",
    (g) => (g.oldestPendingAgeMs === null ? 0 : g.oldestPendingAgeMs / 1000),
  );
  perGroup("group_stream_length", "Entries in the event type's group stream.", (g) => g.streamLength);
  perGroup(
    "group_stream_max_length",
    "The stream's bound (groups.maxLength).",
    (g) => g.bounds?.maxLength ?? null,
  );
  perGroup("group_trimmed", "Pending events trimmed from the stream before being handled.", (g) => g.trimmed);
  perGroup("group_claimed", "Events this consumer took over from a consumer that died.", (g) => g.claimed);
  const store = (name: string, help: string, pick: (s: NonNullable<EventBusStats["store"]>) => number) =>
    gauge(name, help, [], (s, set) => {
      if (s.store) set({}, pick(s.store));
    });
  store("store_queued", "Events waiting to be written to the event store.", (s) => s.queued);
  store("store_max_queued", "The bound of the event store's queue (store.maxQueued).", (s) => s.maxQueued);
  store("store_written", "Events written to the event store.", (s) => s.written);
  store(
    "store_rejected",
    "Publishes refused because the store's queue was full (STORE_BACKLOG_FULL).",
    (s) => s.rejected,
  );
  store(
    "store_dropped",
    "Publishes not stored because the store's queue was full (overflow: drop).",
    (s) => s.dropped,
  );
  store("store_retrying", "1 while writes to the event store fail and are retried.", (s) =>
    s.state === "ok" ? 0 : 1,
  );
  return { registry };
}
