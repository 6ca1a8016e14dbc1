/**
 * Prometheus metrics, one prom-client registry per relay (two relays in one process never share
 * counters). Gauges read live state when scraped, so nothing is updated per message except the
 * counters and the latency histogram.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface MetricsSources {
  connections(): number;
  rooms(): number;
  channels(): number;
}

export interface RelayMetrics {
  readonly registry: Registry;
  readonly messagesIn: Counter<"source">;
  readonly messagesOut: Counter;
  readonly malformed: Counter;
  readonly deliveryLatency: Histogram;
  readonly recoveries: Counter<"outcome">;
  readonly authFailures: Counter<"code">;
  readonly framesRefused: Counter<"code">;
  readonly rateLimited: Counter;
  readonly slowConsumers: Counter;
  readonly disconnects: Counter<"reason">;
}

const PREFIX = "eventbus_relay_";

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
  gauge("connections", "Sockets connected to this relay.", sources.connections);
  gauge("rooms", "Rooms joined on this relay (distinct room channels with local sockets).", sources.rooms);
  gauge("broker_channels", "Channels this relay is subscribed to in the broker.", sources.channels);
  if (processMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    messagesIn: new Counter({
      name: `${PREFIX}messages_in_total`,
      help: "Messages received: from the broker (forwarded to rooms) or published by clients.",
      labelNames: ["source"],
      registers,
    }),
    messagesOut: new Counter({
      name: `${PREFIX}messages_out_total`,
      help: "Messages delivered to sockets (one per socket per message).",
      registers,
    }),
    malformed: new Counter({
      name: `${PREFIX}malformed_messages_total`,
      help: "Broker messages dropped because they were not valid envelopes.",
      registers,
    }),
    deliveryLatency: new Histogram({
      name: `${PREFIX}delivery_latency_seconds`,
      help: "From the envelope's metadata.timestamp to the relay's forward (includes clock skew).",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    recoveries: new Counter({
      name: `${PREFIX}recoveries_total`,
      help: "Recovery requests by outcome (recovered, or gap: history no longer available).",
      labelNames: ["outcome"],
      registers,
    }),
    authFailures: new Counter({
      name: `${PREFIX}auth_failures_total`,
      help: "Refused handshakes and token refreshes, by error code.",
      labelNames: ["code"],
      registers,
    }),
    framesRefused: new Counter({
      name: `${PREFIX}frames_refused_total`,
      help: "Client frames answered with an error, by error code.",
      labelNames: ["code"],
      registers,
    }),
    rateLimited: new Counter({
      name: `${PREFIX}rate_limited_total`,
      help: "Client frames refused by the per-socket rate limit.",
      registers,
    }),
    slowConsumers: new Counter({
      name: `${PREFIX}slow_consumer_disconnects_total`,
      help: "Sockets disconnected because their outgoing buffer exceeded the limit.",
      registers,
    }),
    disconnects: new Counter({
      name: `${PREFIX}disconnects_total`,
      help: "Sockets the relay disconnected, by reason code.",
      labelNames: ["reason"],
      registers,
    }),
  };
}
