/**
 * The client's subscriptions, grouped in routes: one broker subscription per exact channel or
 * pattern (SUBSCRIBE / PSUBSCRIBE), shared by every local handler of it, created with the first
 * handler and dropped after the last. Patterns are Redis globs over event types: they deliver
 * only event-type channels, on every broker alike (on a cluster they could not see the others).
 */
import type { ChannelNames } from "../../protocol/channels.js";
import { EventBusError } from "../../protocol/errors.js";
import { createId } from "../../protocol/ids.js";
import type { Broker, Unsubscribe } from "../brokers/broker.js";
import type { Dispatcher, HandlerEntry } from "./dispatcher.js";

export type RouteKind = "channel" | "pattern";

interface Route {
  readonly kind: RouteKind;
  /** The broker-level name: channel or glob, with the prefix. */
  readonly name: string;
  readonly entries: Map<string, HandlerEntry>;
  ready: Promise<Unsubscribe>;
}

export interface NewSubscription {
  readonly kind: RouteKind;
  /** Broker-level channel or glob. */
  readonly name: string;
  readonly entry: Omit<HandlerEntry, "id">;
  readonly requestedId: string | undefined;
}

export class SubscriptionTable {
  private readonly routes = new Map<string, Route>();
  private readonly byId = new Map<string, Route>();

  constructor(
    private readonly broker: () => Promise<Broker>,
    private readonly names: ChannelNames,
    private readonly dispatcher: Dispatcher,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  /** Adds a handler; resolves with its id once the broker confirmed the subscription. */
  async add(request: NewSubscription): Promise<string> {
    const id = request.requestedId ?? createId();
    if (this.byId.has(id)) {
      throw new EventBusError(
        "INVALID_OPTIONS",
        `A subscription named ${JSON.stringify(id)} already exists.`,
      );
    }
    const key = `${request.kind}\u0000${request.name}`;
    let route = this.routes.get(key);
    if (!route) {
      route = this.createRoute(request.kind, request.name);
      this.routes.set(key, route);
    }
    route.entries.set(id, { ...request.entry, id });
    this.byId.set(id, route);
    try {
      await route.ready;
    } catch (error) {
      await this.remove(id);
      throw error;
    }
    return id;
  }

  /** Removes a handler; the broker subscription goes with the route's last handler. */
  async remove(id: string): Promise<boolean> {
    const route = this.byId.get(id);
    if (!route) return false;
    this.byId.delete(id);
    route.entries.delete(id);
    if (route.entries.size > 0) return true;
    this.routes.delete(`${route.kind}\u0000${route.name}`);
    const off = await route.ready.catch(() => undefined);
    await off?.();
    return true;
  }

  /** The handler with this id, or every handler subscribed with this pattern. */
  handlersFor(subscriptionId: string, pattern: string): HandlerEntry[] {
    const entry = this.byId.get(subscriptionId)?.entries.get(subscriptionId);
    if (entry) return [entry];
    const all: HandlerEntry[] = [];
    for (const route of this.routes.values()) {
      for (const candidate of route.entries.values()) if (candidate.pattern === pattern) all.push(candidate);
    }
    return all;
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  /** Forgets everything (the broker is being closed). */
  clear(): void {
    this.routes.clear();
    this.byId.clear();
  }

  private createRoute(kind: RouteKind, name: string): Route {
    const route: Route = { kind, name, entries: new Map(), ready: Promise.resolve(async () => {}) };
    const deliver = (channel: string, message: string) => {
      if (kind === "pattern" && this.names.parse(channel)?.kind !== "event") return;
      if (route.entries.size > 0) this.dispatcher.dispatch(message, channel, name, route.entries.values());
    };
    route.ready = this.broker().then((broker) =>
      kind === "channel" ? broker.subscribe(name, deliver) : broker.psubscribe(name, deliver),
    );
    route.ready.catch(() => {}); // observed by add(); a failed route is dropped there
    return route;
  }
}
