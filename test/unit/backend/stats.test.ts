/** getStats figures: totals, the 10-second throughput window, error rate and mean latency. */
import { describe, expect, it } from "vitest";
import { StatsTracker } from "../../../relay/backend/stats.js";

describe("StatsTracker", () => {
  it("counts, rates over the last 10 s, and averages latency from metadata.timestamp", () => {
    let now = 1_000_000;
    const stats = new StatsTracker(() => now);
    for (let i = 0; i < 30; i++) stats.recordPublished();
    for (let i = 0; i < 20; i++) stats.recordReceived();
    stats.recordDelivered(new Date(now - 10).toISOString(), now);
    stats.recordDelivered(new Date(now - 30).toISOString(), now);
    stats.recordFailed();
    expect(stats.snapshot(4)).toEqual({
      eventsPublished: 30,
      eventsReceived: 20,
      eventsDelivered: 2,
      eventsFailed: 1,
      activeSubscriptions: 4,
      errorRate: 1 / 3,
      messagesPerSecond: 5,
      averageLatency: 20,
    });
    now += 9_000;
    stats.recordPublished();
    expect(stats.snapshot(4).messagesPerSecond).toBe(5.1);
    now += 1_000; // the first second leaves the window
    expect(stats.snapshot(4).messagesPerSecond).toBe(0.1);
    now += 60_000;
    expect(stats.snapshot(4).messagesPerSecond).toBe(0);
    expect(stats.snapshot(0).eventsPublished).toBe(31);
  });

  it("keeps the latency mean over the last 1000 deliveries", () => {
    const now = 5_000_000;
    const stats = new StatsTracker(() => now);
    for (let i = 0; i < 1000; i++) stats.recordDelivered(new Date(now - 100).toISOString(), now);
    for (let i = 0; i < 1000; i++) stats.recordDelivered(new Date(now - 2).toISOString(), now);
    expect(stats.snapshot(0).averageLatency).toBeCloseTo(2, 6);
    expect(new StatsTracker(() => now).snapshot(0)).toMatchObject({ errorRate: 0, averageLatency: 0 });
  });
});
