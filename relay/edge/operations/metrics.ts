/**
 * Prometheus metrics, one prom-client registry per relay (two relays in one process never share
 * counters). Gauges read live state when scraped. What is counted per broker message or per
 * delivery (`brokerMessagesIn`, `messagesOut`, `deliveryLatency`, deliveries per path) is counted
 * in plain numbers and handed to prom-client when scraped (hot-metrics.ts); the rest are
 * prom-client counters.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { type HotCounter, type HotHistogram, hotHistogram, PendingCount } from "./hot-metrics.js";

export interface MetricsSources {
  connections(): number;
  rooms(): number;
  channels(): number;
  /** Deliveries per fan-out path so far (delivery/fanout-adapter.ts). */
  deliveries(): { readonly direct: number; readonly engine: number };
}

export interface RelayMetrics {
  readonly registry: Registry;
  /** Messages in by source; the broker's are counted through `brokerMessagesIn`. */
  readonly messagesIn: Counter<"source">;
  /** `messages_in_total{source="broker"}`, counted per broker message (hot path). */
  readonly brokerMessagesIn: HotCounter;
  readonly messagesOut: HotCounter;
  readonly malformed: Counter;
  readonly deliveryLatency: HotHistogram;
  readonly recoveries: Counter<"outcome">;
  readonly rollbacks: Counter;
  readonly authFailures: Counter<"code">;
  readonly framesRefused: Counter<"code">;
  readonly rateLimited: Counter;
  readonly slowConsumers: Counter;
  readonly conflated: Counter;
  readonly disconnects: Counter<"reason">;
}

const PREFIX = "eventbus_relay_";
/** Upper bounds (seconds) of `delivery_latency_seconds`. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

export function createMetrics(sources: MetricsSources, processMetrics: boolean): RelayMetrics {
  const registry = new Registry();
  const registers = [registry];
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name: PREFIX + name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  const counter = <L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: (this: Counter<L>) => void,
  ) =>
    new Counter<L>({
      name: `${PREFIX}${name}_total`,
      help,
      labelNames,
      registers,
      ...(collect && { collect }),
    });
  const brokerIn = new PendingCount();
  const out = new PendingCount();
  gauge("connections", "Sockets connected to this relay.", sources.connections);
  gauge("rooms", "Rooms joined on this relay (distinct room channels with local sockets).", sources.rooms);
  gauge("broker_channels", "Channels this relay is subscribed to in the broker.", sources.channels);
  deliveryPaths(registers, sources.deliveries);
  if (processMetrics) collectDefaultMetrics({ register: registry });
  // Registered in this order (so /metrics lists them as before the hot counts moved to plain numbers).
  const messagesIn = counter(
    "messages_in",
    "Messages received: from the broker (forwarded to rooms) or published by clients.",
    ["source"],
    function collect() {
      const taken = brokerIn.take();
      if (taken > 0) this.inc({ source: "broker" }, taken);
    },
  );
  counter(
    "messages_out",
    "Messages delivered to sockets (one per socket per message).",
    [],
    function collect() {
      const taken = out.take();
      if (taken > 0) this.inc(taken);
    },
  );
  return {
    registry,
    messagesIn,
    brokerMessagesIn: brokerIn,
    messagesOut: out,
    malformed: counter(
      "malformed_messages",
      "Broker messages dropped because they were not valid envelopes.",
    ),
    deliveryLatency: hotHistogram(registry, {
      name: `${PREFIX}delivery_latency_seconds`,
      help: "From the envelope's metadata.timestamp to the relay's forward (includes clock skew).",
      buckets: LATENCY_BUCKETS,
    }),
    recoveries: counter(
      "recoveries",
      "Recovery requests by outcome (recovered; gap: history lost; rollback: a failover rolled the history back).",
      ["outcome"],
    ),
    rollbacks: counter(
      "history_rollbacks",
      "Channel histories this relay found rolled back (a failover lost acknowledged writes) and renewed.",
    ),
    authFailures: counter("auth_failures", "Refused handshakes and token refreshes, by error code.", [
      "code",
    ]),
    framesRefused: counter("frames_refused", "Client frames answered with an error, by error code.", [
      "code",
    ]),
    rateLimited: counter("rate_limited", "Client frames refused by the per-socket rate limit."),
    slowConsumers: counter(
      "slow_consumer_disconnects",
      "Sockets disconnected because their outgoing buffer exceeded the limit.",
    ),
    conflated: counter(
      "conflated_messages",
      "Latest-only messages replaced by a newer one of the same key before a socket that was behind got them.",
    ),
    disconnects: counter("disconnects", "Sockets the relay disconnected, by reason code.", ["reason"]),
  };
}

/**
 * `eventbus_relay_deliveries_total{path}`: deliveries written straight to a WebSocket ("direct")
 * or through engine.io ("engine"). Counted as plain numbers on the hot path, added here when
 * scraped. A relay whose WebSocket clients stop taking the direct path shows it here.
 */
function deliveryPaths(registers: Registry[], read: MetricsSources["deliveries"]): void {
  const reported = { direct: 0, engine: 0 };
  new Counter<"path">({
    name: `${PREFIX}deliveries_total`,
    help: "Deliveries to sockets by fan-out path: direct (one pre-built WebSocket frame) or engine (engine.io).",
    labelNames: ["path"],
    registers,
    collect() {
      const now = read();
      for (const path of ["direct", "engine"] as const) {
        this.inc({ path }, now[path] - reported[path]);
        reported[path] = now[path];
      }
    },
  });
}
