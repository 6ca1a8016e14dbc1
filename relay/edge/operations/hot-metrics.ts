/**
 * Metrics counted on the delivery hot path (one broker message, one delivery) as plain numbers and
 * handed to prom-client only when /metrics is scraped, so a message costs an addition, not a
 * prom-client call (label hashing, closures, validation). The text on /metrics is the same as
 * prom-client's own Counter and Histogram would write (test/unit/relay/hot-metrics.test.ts).
 */
import type { Histogram, Registry } from "prom-client";

/** A count taken as a plain number (see the file comment). */
export interface HotCounter {
  inc(amount?: number): void;
}

/** Latency observations taken as plain numbers (see the file comment). */
export interface HotHistogram {
  observe(value: number): void;
}

/** A HotCounter whose count so far is taken (and zeroed) by the counter's `collect()` at scrape time. */
export class PendingCount implements HotCounter {
  private pending = 0;

  inc(amount = 1): void {
    this.pending += amount;
  }

  /** The count since the last take. */
  take(): number {
    const taken = this.pending;
    this.pending = 0;
    return taken;
  }
}

/** One value as prom-client's registry reads it from a metric's `get()`. */
interface HistogramValue {
  readonly labels: { readonly le?: number | string };
  readonly value: number;
  readonly metricName: string;
}

/**
 * A histogram without labels counted in one array of per-bucket counts. Registered in place of a
 * prom-client Histogram of the same name: prom-client's registry reads a metric through `get()`,
 * which returns the buckets (cumulative), `+Inf`, `_sum` and `_count` as prom-client's Histogram does.
 */
class PlainHistogram implements HotHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {
    this.counts = bounds.map(() => 0);
  }

  observe(value: number): void {
    const { bounds, counts } = this;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        counts[i] = (counts[i] as number) + 1;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }

  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    values: HistogramValue[];
    aggregator: string;
  }> {
    let cumulative = 0;
    const bucket = `${this.name}_bucket`;
    const values: HistogramValue[] = this.bounds.map((le, i) => {
      cumulative += this.counts[i] as number;
      return { labels: { le }, value: cumulative, metricName: bucket };
    });
    values.push(
      { labels: { le: "+Inf" }, value: this.count, metricName: bucket },
      { labels: {}, value: this.sum, metricName: `${this.name}_sum` },
      { labels: {}, value: this.count, metricName: `${this.name}_count` },
    );
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

/** A histogram without labels on `registry`, observed as plain numbers (see PlainHistogram). */
export function hotHistogram(
  registry: Registry,
  config: { readonly name: string; readonly help: string; readonly buckets: readonly number[] },
): HotHistogram {
  const histogram = new PlainHistogram(
    config.name,
    config.help,
    [...config.buckets].sort((a, b) => a - b),
  );
  // The registry reads metrics only through `name` and `get()` (and `reset()` on resetMetrics).
  registry.registerMetric(histogram as unknown as Histogram);
  return histogram;
}

/**
 * `Date.parse` for envelope timestamps (`metadata.timestamp`, ISO 8601), cheaper per message: the
 * whole-second prefix of the last one read is kept, so consecutive messages of one second cost a
 * string compare and their fraction digits. Anything else (an offset, another second) goes to
 * `Date.parse`. NaN when the text is not a date, as `Date.parse`.
 */
export function timestampReader(): (timestamp: string) => number {
  let prefix = "";
  let secondMs = Number.NaN;
  return (timestamp) => {
    const length = timestamp.length;
    // "YYYY-MM-DDTHH:MM:SS" (19) "." 1–9 digits "Z"
    if (length < 22 || timestamp.charCodeAt(length - 1) !== 90 || timestamp.charCodeAt(19) !== 46) {
      return Date.parse(timestamp);
    }
    let fraction = 0;
    let scale = 100;
    for (let i = 20; i < length - 1; i++) {
      const digit = timestamp.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return Date.parse(timestamp);
      fraction += digit * scale;
      scale /= 10;
    }
    if (!timestamp.startsWith(prefix) || prefix.length !== 19) {
      secondMs = Date.parse(`${timestamp.slice(0, 19)}Z`);
      prefix = timestamp.slice(0, 19);
    }
    return secondMs + Math.floor(fraction);
  };
}
