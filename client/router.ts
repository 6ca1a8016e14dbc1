/**
 * Patterns → handlers. Subscriptions are client-side filters over every event the socket
 * receives (own user channel, rooms, broadcast, roles); patterns are Redis globs on the event
 * type (protocol/glob.ts), compiled once per pattern. A handler that throws does not stop the
 * others; its error is reported.
 */
import type { EventEnvelope } from "../protocol/envelope.js";
import { compileGlob, type GlobMatcher } from "../protocol/glob.js";
import { checkPattern } from "./call-checks.js";

/** What handlers receive: the envelope, the channel it came on and, if recoverable, its offset. */
export type DeliveredEvent<Envelope = EventEnvelope> = Envelope & {
  readonly channel: string;
  readonly offset?: number;
};

type Handler = (event: DeliveredEvent) => void;

interface Listener {
  readonly handler: Handler;
  /** Only events whose channel passes (room handles). */
  readonly accepts: ((channel: string) => boolean) | undefined;
}

interface Route {
  readonly match: GlobMatcher;
  readonly listeners: Set<Listener>;
}

export class Router {
  private readonly routes = new Map<string, Route>();

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Adds a handler; returns the function that removes it (idempotent). */
  add(pattern: string, handler: Handler, accepts?: (channel: string) => boolean): () => void {
    checkPattern(pattern);
    let route = this.routes.get(pattern);
    if (!route) {
      route = { match: compileGlob(pattern), listeners: new Set() };
      this.routes.set(pattern, route);
    }
    const listener: Listener = { handler, accepts };
    route.listeners.add(listener);
    const owner = route;
    return () => {
      if (owner.listeners.delete(listener) && owner.listeners.size === 0) {
        if (this.routes.get(pattern) === owner) this.routes.delete(pattern);
      }
    };
  }

  get size(): number {
    let total = 0;
    for (const route of this.routes.values()) total += route.listeners.size;
    return total;
  }

  dispatch(event: DeliveredEvent): void {
    for (const route of [...this.routes.values()]) {
      if (!route.match(event.type)) continue;
      for (const listener of [...route.listeners]) {
        if (!route.listeners.has(listener) || (listener.accepts && !listener.accepts(event.channel)))
          continue;
        try {
          listener.handler(event);
        } catch (error) {
          this.onError(error);
        }
      }
    }
  }
}
