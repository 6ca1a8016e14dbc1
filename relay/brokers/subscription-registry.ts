/**
 * Shares one broker-level subscription among many local listeners, per channel or pattern, and
 * serialises subscribe/unsubscribe per name so that a quick leave-then-join never ends with the
 * listener registered but Redis unsubscribed (or the reverse).
 */
import { getOrCreate } from "../../common/collections.js";
import type { Unsubscribe } from "./broker.js";

export interface SubscriptionOps {
  /** Subscribes in the backend and resolves once confirmed. */
  subscribe(name: string): Promise<void>;
  unsubscribe(name: string): Promise<void>;
}

interface Entry<L> {
  readonly listeners: Set<L>;
  subscribed: boolean;
  chain: Promise<void>;
  pending: number;
}

export class SubscriptionRegistry<L> {
  private readonly entries = new Map<string, Entry<L>>();

  constructor(private readonly ops: SubscriptionOps) {}

  /** Adds a listener; resolves once the name is subscribed in the backend. */
  async add(name: string, listener: L): Promise<Unsubscribe> {
    const current = getOrCreate(this.entries, name, () => ({
      listeners: new Set<L>(),
      subscribed: false,
      chain: Promise.resolve(),
      pending: 0,
    }));
    current.listeners.add(listener);
    try {
      await this.enqueue(name, current, async () => {
        if (!current.subscribed && current.listeners.size > 0) {
          await this.ops.subscribe(name);
          current.subscribed = true;
        }
      });
    } catch (error) {
      current.listeners.delete(listener);
      this.forgetIfIdle(name, current);
      throw error;
    }
    let removed = false;
    return async () => {
      if (removed) return;
      removed = true;
      current.listeners.delete(listener);
      await this.enqueue(name, current, async () => {
        if (current.subscribed && current.listeners.size === 0) {
          current.subscribed = false;
          await this.ops.unsubscribe(name);
        }
      });
    };
  }

  /** Calls every listener of `name`; a throwing listener is reported and does not stop the others. */
  forEach(name: string, call: (listener: L) => void, onError: (error: unknown) => void): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    for (const listener of entry.listeners) {
      try {
        call(listener);
      } catch (error) {
        onError(error);
      }
    }
  }

  /** Names currently subscribed in the backend. */
  names(): string[] {
    return [...this.entries].filter(([, e]) => e.subscribed).map(([name]) => name);
  }

  has(name: string): boolean {
    return (this.entries.get(name)?.listeners.size ?? 0) > 0;
  }

  /** Forgets every listener without unsubscribing (the connection is closing anyway). */
  clear(): void {
    this.entries.clear();
  }

  private async enqueue(name: string, entry: Entry<L>, step: () => Promise<void>): Promise<void> {
    entry.pending++;
    const run = entry.chain.then(step);
    entry.chain = run.catch(() => {});
    try {
      await run;
    } finally {
      entry.pending--;
      this.forgetIfIdle(name, entry);
    }
  }

  private forgetIfIdle(name: string, entry: Entry<L>): void {
    if (
      entry.pending === 0 &&
      entry.listeners.size === 0 &&
      !entry.subscribed &&
      this.entries.get(name) === entry
    ) {
      this.entries.delete(name);
    }
  }
}
