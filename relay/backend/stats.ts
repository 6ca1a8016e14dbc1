/**
 * Counters and rates for getStats(): totals since start, throughput over a sliding 10-second
 * window (per-second buckets), and the mean publish → handler latency over the last 1000
 * deliveries (a ring buffer).
 */
import type { EventBusStats } from "./types.js";

const WINDOW_SECONDS = 10;
const LATENCY_SAMPLES = 1000;

export class StatsTracker {
  private published = 0;
  private received = 0;
  private delivered = 0;
  private failed = 0;
  private readonly buckets = new Array<number>(WINDOW_SECONDS).fill(0);
  private bucketSecond = 0;
  private readonly latencies = new Float64Array(LATENCY_SAMPLES);
  private latencyCount = 0;
  private latencySum = 0;

  constructor(private readonly now: () => number) {
    this.bucketSecond = Math.floor(now() / 1000);
  }

  recordPublished(): void {
    this.published++;
    this.tick();
  }

  recordReceived(): void {
    this.received++;
    this.tick();
  }

  /** A handler succeeded; `publishedAt` is the envelope's metadata.timestamp. */
  recordDelivered(publishedAt: string, startedAt: number): void {
    this.delivered++;
    const sent = Date.parse(publishedAt);
    if (Number.isFinite(sent)) this.addLatency(Math.max(0, startedAt - sent));
  }

  recordFailed(): void {
    this.failed++;
  }

  snapshot(activeSubscriptions: number): Omit<EventBusStats, "groups"> {
    this.rotate();
    const finished = this.delivered + this.failed;
    const samples = Math.min(this.latencyCount, LATENCY_SAMPLES);
    return {
      eventsPublished: this.published,
      eventsReceived: this.received,
      eventsDelivered: this.delivered,
      eventsFailed: this.failed,
      activeSubscriptions,
      errorRate: finished === 0 ? 0 : this.failed / finished,
      messagesPerSecond: this.buckets.reduce((sum, n) => sum + n, 0) / WINDOW_SECONDS,
      averageLatency: samples === 0 ? 0 : this.latencySum / samples,
    };
  }

  private tick(): void {
    this.rotate();
    const index = this.bucketSecond % WINDOW_SECONDS;
    this.buckets[index] = (this.buckets[index] ?? 0) + 1;
  }

  /** Clears the buckets of the seconds that passed since the last event. */
  private rotate(): void {
    const second = Math.floor(this.now() / 1000);
    const elapsed = Math.min(second - this.bucketSecond, WINDOW_SECONDS);
    for (let i = 1; i <= elapsed; i++) this.buckets[(this.bucketSecond + i) % WINDOW_SECONDS] = 0;
    if (second > this.bucketSecond) this.bucketSecond = second;
  }

  private addLatency(ms: number): void {
    const slot = this.latencyCount % LATENCY_SAMPLES;
    if (this.latencyCount >= LATENCY_SAMPLES) this.latencySum -= this.latencies[slot] ?? 0;
    this.latencies[slot] = ms;
    this.latencySum += ms;
    this.latencyCount++;
  }
}
