/**
 * A tiny typed event emitter with no dependencies, shared by the browser SDK and the relay side
 * (node:events is not available in browsers). A listener that throws does not stop the others;
 * its error goes to `onListenerError` (default: rethrown asynchronously, so it is not lost).
 */
import { getOrCreate } from "./collections.js";

// biome-ignore lint/suspicious/noExplicitAny: listener parameter lists are inferred per event
export type EventsOf<T> = { [K in keyof T]: (...args: any[]) => void };

export class Emitter<Events extends EventsOf<Events>> {
  private readonly listeners = new Map<keyof Events, Set<Events[keyof Events]>>();

  constructor(private readonly onListenerError: (error: unknown) => void = rethrowLater) {}

  on<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    getOrCreate(this.listeners, event, () => new Set()).add(listener);
    return () => this.off(event, listener);
  }

  once<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    const off = this.on(event, ((...args: Parameters<Events[E]>) => {
      off();
      listener(...args);
    }) as Events[E]);
    return off;
  }

  off<E extends keyof Events>(event: E, listener: Events[E]): void {
    const set = this.listeners.get(event);
    if (set?.delete(listener) && set.size === 0) this.listeners.delete(event);
  }

  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  listenerCount(event?: keyof Events): number {
    if (event !== undefined) return this.listeners.get(event)?.size ?? 0;
    let total = 0;
    for (const set of this.listeners.values()) total += set.size;
    return total;
  }

  removeAllListeners(): void {
    this.listeners.clear();
  }
}

function rethrowLater(error: unknown): void {
  setTimeout(() => {
    throw error;
  }, 0);
}
