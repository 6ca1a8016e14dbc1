/**
 * Broker channels → socket.io rooms. One broker subscription per channel per relay, reference-
 * counted by the local sockets that need it: subscribed when the first one arrives (acquire resolves
 * only once the broker confirmed, so a message published after a join's acknowledgement is never
 * missed), unsubscribed a short linger after the last one left (churn does not thrash Redis).
 * A relay's broker traffic follows its own sockets; it never subscribes to a pattern.
 */
import { type Clock, unrefTimer } from "../../../common/clock.js";
import { EventBusError, toEventBusError } from "../../../protocol/errors.js";
import type { Broker, MessageListener, Unsubscribe } from "../../brokers/broker.js";

/** Reference-counted broker subscriptions: what handlers see of the bridge. */
export interface ChannelHolds {
  /** Holds the channel; resolves once the broker confirmed the subscription. */
  acquire(channel: string): Promise<void>;
  /** Releases one hold. */
  release(channel: string): void;
}

interface Entry {
  refs: number;
  readonly ready: Promise<Unsubscribe>;
  linger: unknown;
}

export class Bridge implements ChannelHolds {
  private readonly entries = new Map<string, Entry>();
  private readonly unsubscribing = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly broker: Broker,
    private readonly lingerMs: number,
    private readonly clock: Clock,
    private readonly listener: MessageListener,
    private readonly onError: (error: unknown, channel: string) => void,
  ) {}

  /** Holds the channel; resolves once the broker confirmed the subscription (BROKER_UNAVAILABLE otherwise). */
  async acquire(channel: string): Promise<void> {
    if (this.closed) throw new EventBusError("SERVER_SHUTDOWN", "The relay is closing.");
    let entry = this.entries.get(channel);
    if (!entry) entry = this.subscribe(channel);
    entry.refs++;
    if (entry.linger !== undefined) {
      this.clock.clearTimeout(entry.linger);
      entry.linger = undefined;
    }
    try {
      await entry.ready;
    } catch (error) {
      entry.refs--;
      throw toEventBusError(error, "BROKER_UNAVAILABLE");
    }
  }

  /** Releases one hold; the last release unsubscribes after the linger. */
  release(channel: string): void {
    const entry = this.entries.get(channel);
    if (!entry || entry.refs <= 0) return;
    entry.refs--;
    if (entry.refs > 0) return;
    if (this.lingerMs <= 0) {
      this.drop(channel, entry);
      return;
    }
    entry.linger = this.clock.setTimeout(() => this.drop(channel, entry), this.lingerMs);
    unrefTimer(entry.linger);
  }

  /** Channels held right now (subscribed, being subscribed, or lingering). */
  channels(): string[] {
    return [...this.entries.keys()];
  }

  has(channel: string): boolean {
    return this.entries.has(channel);
  }

  /** Unsubscribes everything at once (lingers included) and waits for the broker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [channel, entry] of this.entries) this.drop(channel, entry);
    while (this.unsubscribing.size > 0) await Promise.allSettled([...this.unsubscribing]);
  }

  private subscribe(channel: string): Entry {
    const entry: Entry = { refs: 0, ready: this.broker.subscribe(channel, this.listener), linger: undefined };
    this.entries.set(channel, entry);
    entry.ready.catch(() => {
      if (this.entries.get(channel) === entry) this.entries.delete(channel);
    });
    return entry;
  }

  private drop(channel: string, entry: Entry): void {
    if (entry.linger !== undefined) this.clock.clearTimeout(entry.linger);
    entry.linger = undefined;
    if (this.entries.get(channel) !== entry) return;
    this.entries.delete(channel);
    const done = entry.ready
      .then((unsubscribe) => unsubscribe())
      .catch((error: unknown) => this.onError(error, channel))
      .finally(() => this.unsubscribing.delete(done));
    this.unsubscribing.add(done);
  }
}
