/**
 * The hot-path metrics (relay/edge/operations/hot-metrics.ts) are counted as plain numbers and
 * handed to prom-client when scraped: /metrics must read exactly what prom-client's own Counter and
 * Histogram would have written for the same observations, and scraping twice counts nothing twice.
 */
import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { timestampReader } from "../../../relay/edge/operations/hot-metrics.js";
import { createMetrics, LATENCY_BUCKETS, type RelayMetrics } from "../../../relay/edge/operations/metrics.js";

const NAME = "eventbus_relay_delivery_latency_seconds";
const HELP = "From the envelope's metadata.timestamp to the relay's forward (includes clock skew).";

function relayMetrics(): RelayMetrics {
  return createMetrics(
    { connections: () => 0, rooms: () => 0, channels: () => 0, deliveries: () => ({ direct: 0, engine: 0 }) },
    false,
  );
}

/** The lines of one metric family (HELP, TYPE and samples) in a /metrics text. */
function family(text: string, name: string): string[] {
  return text
    .split("\n")
    .filter(
      (line) =>
        line.startsWith(name) || line.startsWith(`# HELP ${name} `) || line.startsWith(`# TYPE ${name} `),
    );
}

describe("hot-path metrics", () => {
  it("writes the latency histogram as prom-client's Histogram does", async () => {
    const metrics = relayMetrics();
    const reference = new Registry();
    const expected = new Histogram({
      name: NAME,
      help: HELP,
      buckets: [...LATENCY_BUCKETS],
      registers: [reference],
    });
    const values = [
      0, 0.0004, 0.001, 0.0011, 0.0025, 0.003, 0.05, 0.2, 0.5, 0.75, 2.5, 4.9, 5, 5.01, 60, 1e-9,
    ];
    for (const value of values) {
      metrics.deliveryLatency.observe(value);
      expected.observe(value);
    }
    const ours = family(await metrics.registry.metrics(), NAME);
    expect(ours).toEqual(family(await reference.metrics(), NAME));
    expect(ours).toContain(`${NAME}_count ${values.length}`);
    expect(ours).toContain(`${NAME}_bucket{le="+Inf"} ${values.length}`);
  });

  it("writes an empty histogram as prom-client does", async () => {
    const reference = new Registry();
    new Histogram({ name: NAME, help: HELP, buckets: [...LATENCY_BUCKETS], registers: [reference] });
    expect(family(await relayMetrics().registry.metrics(), NAME)).toEqual(
      family(await reference.metrics(), NAME),
    );
  });

  it("counts broker messages in and deliveries out, once each across scrapes", async () => {
    const metrics = relayMetrics();
    const before = await metrics.registry.metrics();
    expect(before).toContain("eventbus_relay_messages_out_total 0");
    expect(before).not.toContain('source="broker"');
    for (let i = 0; i < 7; i++) metrics.brokerMessagesIn.inc();
    metrics.messagesOut.inc(5);
    metrics.messagesOut.inc();
    metrics.messagesIn.inc({ source: "client" });
    const first = await metrics.registry.metrics();
    expect(first).toContain('eventbus_relay_messages_in_total{source="broker"} 7');
    expect(first).toContain('eventbus_relay_messages_in_total{source="client"} 1');
    expect(first).toContain("eventbus_relay_messages_out_total 6");
    const second = await metrics.registry.metrics();
    expect(second).toContain('eventbus_relay_messages_in_total{source="broker"} 7');
    expect(second).toContain("eventbus_relay_messages_out_total 6");
    metrics.brokerMessagesIn.inc();
    metrics.messagesOut.inc(3);
    const third = await metrics.registry.metrics();
    expect(third).toContain('eventbus_relay_messages_in_total{source="broker"} 8');
    expect(third).toContain("eventbus_relay_messages_out_total 9");
  });

  it("lists the counters as prom-client's Counter would", async () => {
    const metrics = relayMetrics();
    const reference = new Registry();
    const help = "Messages delivered to sockets (one per socket per message).";
    const out = new Counter({ name: "eventbus_relay_messages_out_total", help, registers: [reference] });
    metrics.messagesOut.inc(42);
    out.inc(42);
    expect(family(await metrics.registry.metrics(), "eventbus_relay_messages_out_total")).toEqual(
      family(await reference.metrics(), "eventbus_relay_messages_out_total"),
    );
  });

  it("reads the same in JSON", async () => {
    const metrics = relayMetrics();
    metrics.deliveryLatency.observe(0.004);
    const json = await metrics.registry.getMetricsAsJSON();
    const histogram = json.find((m) => m.name === NAME);
    expect(histogram?.type).toBe("histogram");
    expect(histogram?.values).toContainEqual({
      labels: { le: 0.005 },
      value: 1,
      metricName: `${NAME}_bucket`,
    });
  });
});

describe("timestampReader", () => {
  it("reads envelope timestamps as Date.parse does", () => {
    const read = timestampReader();
    const base = Date.UTC(2026, 11, 6, 8, 59, 58, 0);
    const samples: string[] = [];
    for (let ms = 0; ms < 3000; ms += 7) samples.push(new Date(base + ms).toISOString());
    samples.push(
      "2026-12-06T08:59:59.1Z",
      "2026-12-06T08:59:59.12Z",
      "2026-12-06T08:59:59.1239Z",
      "2026-12-06T08:59:59.999999999Z",
      "2026-12-06T08:59:59.000000001Z",
      "2026-12-06T08:59:59Z",
      "2026-12-06T10:59:59.500+02:00",
      "2026-12-06T08:59:59.5x0Z",
      "2026-13-06T08:59:59.500Z",
      "1969-12-31T23:59:59.999Z",
      "not a date",
      "",
    );
    for (const text of samples) expect([text, read(text)]).toEqual([text, Date.parse(text)]);
  });
});
