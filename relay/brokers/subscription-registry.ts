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
  /** Most names have one listener (a relay's bridge): kept without a Set until a second one comes. */
  listeners: L | Set<L> | undefined;
  subscribed: boolean;
  /** The last queued step; the shared IDLE once none is pending (a Promise less per idle name). */
  chain: Promise<void>;
  pending: number;
}

const IDLE: Promise<void> = Promise.resolve();

function sizeOf<L>(entry: Entry<L>): number {
  const { listeners } = entry;
  return listeners === undefined ? 0 : listeners instanceof Set ? listeners.size : 1;
}

function addListener<L>(entry: Entry<L>, listener: L): void {
  const { listeners } = entry;
  if (listeners === undefined) entry.listeners = listener;
  else if (listeners instanceof Set) listeners.add(listener);
  else if (listeners !== listener) entry.listeners = new Set([listeners, listener]);
}

function removeListener<L>(entry: Entry<L>, listener: L): void {
  const { listeners } = entry;
  if (listeners === listener) entry.listeners = undefined;
  else if (listeners instanceof Set) listeners.delete(listener);
}

export class SubscriptionRegistry<L> {
  private readonly entries = new Map<string, Entry<L>>();

  constructor(private readonly ops: SubscriptionOps) {}

  /** Adds a listener; resolves once the name is subscribed in the backend. */
  async add(name: string, listener: L): Promise<Unsubscribe> {
    const current = getOrCreate(
      this.entries,
      name,
      (): Entry<L> => ({ listeners: undefined, subscribed: false, chain: IDLE, pending: 0 }),
    );
    addListener(current, listener);
    try {
      await this.enqueue(name, current, async () => {
        if (!current.subscribed && sizeOf(current) > 0) {
          await this.ops.subscribe(name);
          current.subscribed = true;
        }
      });
    } catch (error) {
      removeListener(current, listener);
      this.forgetIfIdle(name, current);
      throw error;
    }
    let removed = false;
    return async () => {
      if (removed) return;
      removed = true;
      removeListener(current, listener);
      await this.enqueue(name, current, async () => {
        if (current.subscribed && sizeOf(current) === 0) {
          current.subscribed = false;
          await this.ops.unsubscribe(name);
        }
      });
    };
  }

  /** Calls every listener of `name`; a throwing listener is reported and does not stop the others. */
  forEach(name: string, call: (listener: L) => void, onError: (error: unknown) => void): void {
    const listeners = this.entries.get(name)?.listeners;
    if (listeners === undefined) return;
    for (const listener of listeners instanceof Set ? listeners : [listeners]) {
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
    const entry = this.entries.get(name);
    return entry !== undefined && sizeOf(entry) > 0;
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
      if (entry.pending === 0) entry.chain = IDLE;
      this.forgetIfIdle(name, entry);
    }
  }

  private forgetIfIdle(name: string, entry: Entry<L>): void {
    if (entry.pending === 0 && sizeOf(entry) === 0 && !entry.subscribed && this.entries.get(name) === entry) {
      this.entries.delete(name);
    }
  }
}
