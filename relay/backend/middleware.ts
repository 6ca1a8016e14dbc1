/**
 * Middleware around publishing and receiving (validate, enrich, log, drop). Each hook gets the
 * event and returns it (changed or not), or null to drop it. Hooks run in the order they were
 * added; a hook that throws fails that publish (publish) or is logged and drops that delivery
 * (receive). Publish hooks run before validation, so what they return is validated like
 * anything else.
 */
import type { EventEnvelope } from "../../protocol/envelope.js";

/** An event on its way out, before it is validated and serialised. */
export interface OutgoingEvent {
  /** The envelope id it will carry. */
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: {
    readonly source: string;
    readonly traceId?: string | undefined;
    readonly userId?: string | undefined;
    readonly room?: string | undefined;
  };
  /** The channel it will be published on (informational: a changed channel is ignored). */
  readonly channel: string;
}

export interface ReceiveContext {
  readonly channel: string;
  /** The subscription pattern (with the prefix) that matched. */
  readonly pattern: string;
}

type Maybe<T> = T | null | Promise<T | null>;

export interface Middleware {
  readonly name?: string;
  /** Before validation: return the event to send (changed or not), or null to drop it. */
  readonly onPublish?: (event: OutgoingEvent) => Maybe<OutgoingEvent>;
  /** Before handlers run: return the envelope to deliver, or null to drop it. */
  readonly onReceive?: (envelope: EventEnvelope, context: ReceiveContext) => Maybe<EventEnvelope>;
}

export class MiddlewareChain {
  private readonly list: Middleware[] = [];

  add(middleware: Middleware): () => void {
    this.list.push(middleware);
    return () => {
      const index = this.list.indexOf(middleware);
      if (index !== -1) this.list.splice(index, 1);
    };
  }

  get hasPublishHooks(): boolean {
    return this.list.some((m) => m.onPublish);
  }

  get hasReceiveHooks(): boolean {
    return this.list.some((m) => m.onReceive);
  }

  async publish(event: OutgoingEvent): Promise<OutgoingEvent | null> {
    let current: OutgoingEvent | null = event;
    for (const middleware of [...this.list]) {
      if (!middleware.onPublish) continue;
      current = await middleware.onPublish(current);
      if (current === null) return null;
    }
    return current;
  }

  async receive(envelope: EventEnvelope, context: ReceiveContext): Promise<EventEnvelope | null> {
    let current: EventEnvelope | null = envelope;
    for (const middleware of [...this.list]) {
      if (!middleware.onReceive) continue;
      current = await middleware.onReceive(current, context);
      if (current === null) return null;
    }
    return current;
  }
}
