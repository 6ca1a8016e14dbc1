/**
 * Which events the inspector received by recovery (replayed from history after the connection
 * came back) rather than live, so it can mark them "recovered" instead of showing the minutes they
 * waited as "latency".
 *
 * The SDK does not flag replayed events yet; it tells us, per channel, how many it replayed (the
 * bus's `recovered` event, emitted right after delivering them). After an outage each channel's
 * deliveries come in this order until that event: the replayed ones first, then live ones that
 * arrived during the catch-up. So the first `replayed` events delivered on a channel since the
 * outage are the recovered ones. (A `replayed: true` flag on delivered events would make this
 * file unnecessary.)
 */

/** Most deliveries remembered per channel while waiting for its `recovered` event. */
const MAX_PENDING = 1000;

export class ReplayMarks {
  /** Keys delivered per channel since the last outage, until the channel's `recovered`/`gap`. */
  private readonly pending = new Map<string, string[]>();
  private readonly settled = new Set<string>();
  private outage = false;

  /** The connection left `connected`: every channel will catch up on the next session. */
  connectionLost(): void {
    this.outage = true;
    this.pending.clear();
    this.settled.clear();
  }

  /** An event delivered on `channel`, known to the caller as `key`. */
  delivered(channel: string, key: string): void {
    if (!this.outage || this.settled.has(channel)) return;
    const keys = this.pending.get(channel) ?? [];
    if (keys.length < MAX_PENDING) keys.push(key);
    this.pending.set(channel, keys);
  }

  /** The bus's `recovered` event: returns the keys of the events that were replayed. */
  recovered(channel: string, replayed: number): readonly string[] {
    const keys = this.pending.get(channel) ?? [];
    this.settle(channel);
    return keys.slice(0, replayed);
  }

  /** A gap: nothing was replayed on the channel; it resumes live. */
  gap(channel: string): void {
    this.settle(channel);
  }

  private settle(channel: string): void {
    this.pending.delete(channel);
    if (this.outage) this.settled.add(channel);
  }
}
