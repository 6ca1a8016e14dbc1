/**
 * Prometheus metrics of one webhook dispatcher (`dispatcher.metrics()`), per endpoint: requests
 * delivered, failed, retried and dead-lettered (counters), request latency (histogram), breaker
 * state, pending jobs and the oldest one's age (gauges read from the store when scraped). One
 * registry per dispatcher, as relay/backend/metrics.ts does for a client.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { BreakerState } from "./circuit-breaker.js";

const PREFIX = "eventbus_webhooks_";
const LABELS = ["endpoint"] as const;

export interface EndpointGaugeReading {
  readonly endpoint: string;
  readonly breaker: BreakerState;
  readonly pending: number;
  readonly oldestPendingAgeMs: number | null;
  readonly disabled: boolean;
}

export const BREAKER_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, "half-open": 1, open: 2 };

export class WebhookMetrics {
  readonly registry = new Registry();
  readonly delivered: Counter<"endpoint">;
  readonly failed: Counter<"endpoint">;
  readonly retried: Counter<"endpoint">;
  readonly deadLettered: Counter<"endpoint">;
  readonly latency: Histogram<"endpoint">;

  constructor(read: () => Promise<readonly EndpointGaugeReading[]>) {
    const registers = [this.registry];
    const counter = (name: string, help: string) =>
      new Counter({ name: `${PREFIX}${name}_total`, help, labelNames: LABELS, registers });
    this.delivered = counter("delivered", "Requests answered 2xx.");
    this.failed = counter(
      "failed",
      "Attempts that failed (non-2xx, timeout, connection error, refused destination).",
    );
    this.retried = counter("retried", "Failed attempts scheduled again.");
    this.deadLettered = counter("dead_lettered", "Jobs moved to the endpoint's dead letters.");
    this.latency = new Histogram({
      name: `${PREFIX}request_duration_seconds`,
      help: "Request time, connection to response (or timeout).",
      labelNames: LABELS,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    let pending: Promise<readonly EndpointGaugeReading[]> | undefined;
    const snapshot = () => {
      pending ??= read().finally(() => setTimeout(() => (pending = undefined), 0));
      return pending;
    };
    const gauge = (name: string, help: string, pick: (r: EndpointGaugeReading) => number) =>
      new Gauge({
        name: PREFIX + name,
        help,
        labelNames: LABELS,
        registers,
        async collect() {
          this.reset();
          for (const r of await snapshot()) this.set({ endpoint: r.endpoint }, pick(r));
        },
      });
    gauge(
      "breaker_state",
      "Circuit breaker: 0 closed, 1 half-open, 2 open.",
      (r) => BREAKER_VALUE[r.breaker],
    );
    gauge("pending", "Jobs waiting for a first or further attempt.", (r) => r.pending);
    gauge("oldest_pending_seconds", "Age of the oldest pending job since it was enqueued.", (r) =>
      r.oldestPendingAgeMs === null ? 0 : r.oldestPendingAgeMs / 1000,
    );
    gauge("endpoint_disabled", "1 when the endpoint answered 410 Gone and was disabled.", (r) =>
      r.disabled ? 1 : 0,
    );
  }
}
