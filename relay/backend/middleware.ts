/**
 * Middleware around publishing and receiving (validate, enrich, log, drop). Each hook gets the
 * event and returns it (changed or not), or null to drop it. Hooks run in the order they were
 * added; a hook that throws fails that publish (publish) or is logged and drops that delivery
 * (receive). Publish hooks run before validation, so what they return is validated like
 * anything else.
 *
 * Seed 004's shape is supported too: an object (or class instance) with `process(event, next?)`
 * is a publish hook that returns the event — or calls `next(event)` and returns what it gives.
 * A middleware with none of the hooks, a hook that is not a function, or a hook that returns
 * nothing (undefined) is refused with INVALID_OPTIONS: never a middleware called zero times.
 */
import type { EventEnvelope } from "../../protocol/envelope.js";
import { EventBusError } from "../../protocol/errors.js";

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
    readonly aggregateId?: string | undefined;
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

/** What `process` returns when it handed the event to `next` (undefined then means: what next got). */
type ProcessedByNext = undefined | Promise<OutgoingEvent | null | undefined>;

/** For `process`: passes the event on; returns it, so `return next(event)` works. */
export type NextMiddleware = (event: OutgoingEvent) => OutgoingEvent;

export interface Middleware {
  readonly name?: string;
  /** Before validation: return the event to send (changed or not), or null to drop it. */
  readonly onPublish?: (event: OutgoingEvent) => Maybe<OutgoingEvent>;
  /** Before handlers run: return the envelope to deliver, or null to drop it. */
  readonly onReceive?: (envelope: EventEnvelope, context: ReceiveContext) => Maybe<EventEnvelope>;
  /**
   * Seed 004's middleware shape, a publish hook: return the event (changed or not) or null to drop
   * it, or call `next(event)` (returning its result, or nothing). Runs after this middleware's
   * onPublish. Returning nothing without calling next is an error (INVALID_OPTIONS).
   */
  readonly process?: (event: OutgoingEvent, next: NextMiddleware) => Maybe<OutgoingEvent> | ProcessedByNext;
}

const HOOKS = ["onPublish", "onReceive", "process"] as const;

/** Throws INVALID_OPTIONS unless `middleware` has at least one hook and every hook it has is a function. */
export function checkMiddleware(middleware: unknown): asserts middleware is Middleware {
  if (typeof middleware !== "object" || middleware === null) {
    throw middlewareError(
      `use() needs a middleware object, got ${middleware === null ? "null" : typeof middleware}`,
    );
  }
  const hooks = middleware as Record<string, unknown>;
  const present = HOOKS.filter((hook) => hooks[hook] !== undefined);
  const wrong = present.find((hook) => typeof hooks[hook] !== "function");
  if (wrong) throw middlewareError(`middleware.${wrong} must be a function, got ${typeof hooks[wrong]}`);
  if (present.length === 0) {
    const own = Object.keys(middleware).join(", ") || "none";
    throw middlewareError(`the middleware has no hook it would ever be called through (its keys: ${own})`);
  }
}

function middlewareError(problem: string): EventBusError {
  return new EventBusError("INVALID_OPTIONS", `use(): ${problem}.`, {
    hint: "Give onPublish(event) and/or onReceive(envelope, context), or process(event, next) (seed 004's shape); each returns the event, or null to drop it.",
  });
}

/** Runs a publish-side hook; undefined (a hook that forgot to return) is an error, not a silent drop. */
async function runPublishHook(middleware: Middleware, event: OutgoingEvent): Promise<OutgoingEvent | null> {
  let current: OutgoingEvent | null = event;
  if (middleware.onPublish) current = checked(middleware, "onPublish", await middleware.onPublish(current));
  if (current === null || !middleware.process) return current;
  let passed: OutgoingEvent | undefined;
  const next: NextMiddleware = (e) => {
    passed = e;
    return e;
  };
  const returned = await middleware.process(current, next);
  return checked(middleware, "process", returned === undefined ? passed : returned);
}

function checked<T>(middleware: Middleware, hook: string, value: T | null | undefined): T | null {
  if (value !== undefined) return value;
  const name = middleware.name ? ` "${middleware.name}"` : "";
  throw new EventBusError("INVALID_OPTIONS", `Middleware${name}: ${hook} returned nothing.`, {
    hint: "Return the event (changed or not), or null to drop it on purpose.",
  });
}

export class MiddlewareChain {
  private readonly list: Middleware[] = [];

  add(middleware: Middleware): () => void {
    checkMiddleware(middleware);
    this.list.push(middleware);
    return () => {
      const index = this.list.indexOf(middleware);
      if (index !== -1) this.list.splice(index, 1);
    };
  }

  get hasPublishHooks(): boolean {
    return this.list.some((m) => m.onPublish || m.process);
  }

  get hasReceiveHooks(): boolean {
    return this.list.some((m) => m.onReceive);
  }

  async publish(event: OutgoingEvent): Promise<OutgoingEvent | null> {
    let current: OutgoingEvent | null = event;
    for (const middleware of [...this.list]) {
      current = await runPublishHook(middleware, current);
      if (current === null) return null;
    }
    return current;
  }

  async receive(envelope: EventEnvelope, context: ReceiveContext): Promise<EventEnvelope | null> {
    let current: EventEnvelope | null = envelope;
    for (const middleware of [...this.list]) {
      if (!middleware.onReceive) continue;
      current = checked(middleware, "onReceive", await middleware.onReceive(current, context));
      if (current === null) return null;
    }
    return current;
  }
}
