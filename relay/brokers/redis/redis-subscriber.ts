/**
 * One dedicated pub/sub connection that keeps its subscriptions across reconnects by itself.
 *
 * It records what should be subscribed (exact channels, patterns, sharded channels), and every
 * time its connection becomes ready it subscribes to all of it again and waits for Redis to
 * confirm before it reports `ready`. ioredis's own autoResubscribe is off: it does not wait for
 * confirmation, so nobody could tell when live delivery really resumed.
 *
 * Reconnects use capped exponential backoff with full jitter. Each attempt builds a fresh ioredis
 * connection from `connection()`, so a cluster's classic subscriber can move to another node.
 */

import type { Redis } from "ioredis";
import { backoffDelay } from "../../../common/backoff.js";
import { Emitter } from "../../../common/emitter.js";
import { EventBusError } from "../../../protocol/errors.js";
import {
  connectTo,
  resubscribeAll,
  SUBSCRIBER_CONNECTION,
  type SubscriptionKind,
  send,
  unsubscribeStale,
} from "./redis-connection.js";
import { corkForThisTurn } from "./redis-cork.js";
import { asBrokerError, isReplyError, SubscriptionAbandoned } from "./redis-errors.js";
import { pingWhileConnected } from "./redis-health.js";
import type { LinkState, SubscriberLinkEvents, SubscriberLinkOptions } from "./redis-link-types.js";

export type { LinkState, SubscriberLinkEvents, SubscriberLinkOptions, SubscriptionKind };

export class SubscriberLink {
  private readonly events = new Emitter<SubscriberLinkEvents>((e) => this.report(e));
  private readonly desired: Record<SubscriptionKind, Set<string>> = {
    channel: new Set(),
    pattern: new Set(),
    shard: new Set(),
  };
  private current: LinkState = "idle";
  private redis: Redis | null = null;
  private attempts = 0;
  private everReady = false;
  private reportedOutage = false;
  private retryTimer: unknown;
  private starting: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private readyWaiters = new Set<() => void>();

  constructor(private readonly options: SubscriberLinkOptions) {}

  get state(): LinkState {
    return this.current;
  }

  on<E extends keyof SubscriberLinkEvents>(event: E, listener: SubscriberLinkEvents[E]): () => void {
    return this.events.on(event, listener);
  }

  /** Everything this link keeps subscribed, by kind. */
  wanted(kind: SubscriptionKind): readonly string[] {
    return [...this.desired[kind]];
  }

  /** Connects; resolves when ready, rejects with BROKER_UNAVAILABLE if the first attempt fails. */
  start(): Promise<void> {
    if (this.current === "closed") return Promise.reject(new EventBusError("CLOSED"));
    if (this.current === "ready") return Promise.resolve();
    if (this.current !== "idle") return this.waitForReady(this.options.clock.now() + this.options.timeoutMs);
    return new Promise<void>((resolve, reject) => {
      this.starting = { resolve, reject };
      this.attempt();
    });
  }

  /**
   * Starts connecting and keeps trying until closed, without failing on a first error (for links
   * created on demand, e.g. to a cluster node; add() waits for them with its own timeout).
   */
  begin(): void {
    if (this.current !== "idle") return;
    this.attempt();
  }

  /**
   * Subscribes and resolves once Redis confirmed it (waiting for a reconnect if need be). Rejects
   * with SubscriptionAbandoned when abandon() withdrew the name meanwhile.
   */
  async add(kind: SubscriptionKind, name: string): Promise<void> {
    const wanted = this.desired[kind];
    wanted.add(name);
    const deadline = this.options.clock.now() + this.options.timeoutMs;
    try {
      for (;;) {
        const redis = this.redis;
        if (this.current === "ready" && redis) {
          try {
            corkForThisTurn(redis.stream);
            await send(redis, kind, "subscribe", [name]);
            return;
          } catch (error) {
            // Redis refused it: final. The connection failed: it may not be noticed as lost yet,
            // so wait for the next ready (which subscribes to everything wanted) and confirm again.
            if (isReplyError(error)) throw asBrokerError(error, "subscribe");
            if (this.redis === redis) redis.disconnect(); // make sure it is noticed
          }
        }
        await this.waitForReady(deadline, () => wanted.has(name));
      }
    } catch (error) {
      wanted.delete(name);
      throw error;
    }
  }

  /**
   * Withdraws a name whose add() may still be waiting for this link to become ready (its slot
   * moved to another node): the waiting add() rejects with SubscriptionAbandoned at once.
   */
  abandon(kind: SubscriptionKind, name: string): void {
    if (!this.desired[kind].delete(name)) return;
    for (const wake of [...this.readyWaiters]) wake();
  }

  /** Unsubscribes; when the connection is down there is nothing to undo in Redis. */
  async remove(kind: SubscriptionKind, name: string): Promise<void> {
    this.desired[kind].delete(name);
    const redis = this.redis;
    if (this.current !== "ready" || !redis) return;
    try {
      corkForThisTurn(redis.stream);
      await send(redis, kind, "unsubscribe", [name]);
    } catch (error) {
      if (isReplyError(error)) this.report(asBrokerError(error, "unsubscribe"));
    }
  }

  /** Drops the connection on purpose (tests, node moves); it reconnects by itself. */
  reconnect(): void {
    this.redis?.disconnect();
  }

  /** Disconnects without reconnecting; start() may be called again. What is wanted is kept. */
  stop(): void {
    if (this.current === "closed") return;
    this.options.clock.clearTimeout(this.retryTimer);
    const redis = this.redis;
    this.redis = null;
    redis?.disconnect();
    this.everReady = false;
    this.setState("idle");
    this.starting?.reject(new EventBusError("BROKER_UNAVAILABLE", "The connection attempt was abandoned."));
    this.starting = undefined;
    for (const wake of [...this.readyWaiters]) wake();
  }

  close(): void {
    if (this.current === "closed") return;
    this.setState("closed");
    this.options.clock.clearTimeout(this.retryTimer);
    this.redis?.disconnect();
    this.redis = null;
    this.starting?.reject(new EventBusError("CLOSED"));
    this.starting = undefined;
    for (const wake of this.readyWaiters) wake();
    this.events.removeAllListeners();
  }

  private attempt(): void {
    this.retryTimer = undefined;
    if (this.current === "closed") return;
    if (this.current !== "down") this.setState("connecting");
    const redis = connectTo(this.options.connection(), {
      ...SUBSCRIBER_CONNECTION,
      connectTimeout: this.options.connectTimeoutMs,
    });
    this.redis = redis;
    redis.on("message", (channel: string, message: string) => this.deliver(redis, channel, message));
    redis.on("smessage", (channel: string, message: string) => this.deliver(redis, channel, message));
    redis.on("pmessage", (pattern: string, channel: string, message: string) =>
      this.deliver(redis, channel, message, pattern),
    );
    redis.on("moved", () => this.events.emit("moved"));
    redis.on("error", (error: Error) => this.onConnectionError(redis, error));
    redis.once("end", () => this.onEnd(redis));
    this.watch(redis);
    redis.connect().then(
      () => this.restore(redis),
      () => {}, // "end" follows and schedules the next attempt
    );
  }

  /** Health pings once connected; a silent connection is dropped (and reconnected like any loss). */
  private watch(redis: Redis): void {
    pingWhileConnected(redis, this.options.healthCheckMs, this.options.clock, () => {
      if (this.redis !== redis) return;
      this.report(
        new EventBusError("BROKER_UNAVAILABLE", "A Redis subscriber connection stopped answering PING."),
      );
      redis.stream.destroy(); // not disconnect(): a graceful close would wait on the silent peer
    });
  }

  private async restore(redis: Redis): Promise<void> {
    let sent: Record<SubscriptionKind, string[]>;
    try {
      sent = await resubscribeAll(redis, this.desired);
    } catch {
      if (this.redis === redis) redis.disconnect();
      return;
    }
    if (this.redis !== redis || this.current === "closed") return;
    unsubscribeStale(redis, sent, this.desired);
    const channels = [...sent.channel, ...sent.shard].filter(
      (name) => this.desired.channel.has(name) || this.desired.shard.has(name),
    );
    const wasDown = this.everReady;
    this.everReady = true;
    this.attempts = 0;
    this.reportedOutage = false;
    if (wasDown) this.events.emit("restored", channels); // before "ready", so it is reported with it
    this.setState("ready");
    this.starting?.resolve();
    this.starting = undefined;
    for (const wake of [...this.readyWaiters]) wake();
  }

  private onEnd(redis: Redis): void {
    if (this.redis !== redis || this.current === "closed") return;
    this.redis = null;
    if (!this.everReady && this.starting) {
      this.setState("idle");
      const error = new EventBusError("BROKER_UNAVAILABLE", "Could not connect to Redis for subscriptions.");
      this.starting.reject(error);
      this.starting = undefined;
      for (const wake of [...this.readyWaiters]) wake();
      return;
    }
    if (this.everReady) this.setState("down");
    this.attempts++;
    const delay = backoffDelay(this.attempts - 1, this.options.backoff);
    this.retryTimer = this.options.clock.setTimeout(() => this.attempt(), delay);
  }

  private onConnectionError(redis: Redis, error: Error): void {
    if (this.redis !== redis || this.reportedOutage) return;
    this.reportedOutage = true;
    this.report(error);
  }

  private deliver(redis: Redis, channel: string, message: string, pattern?: string): void {
    if (this.redis === redis) this.events.emit("message", channel, message, pattern);
  }

  private waitForReady(deadline: number, stillWanted: () => boolean = () => true): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const { clock } = this.options;
      const timer = clock.setTimeout(
        () =>
          finish(new EventBusError("TIMEOUT", "Redis did not come back in time to confirm a subscription.")),
        Math.max(0, deadline - clock.now()),
      );
      const finish = (error?: Error) => {
        clock.clearTimeout(timer);
        this.readyWaiters.delete(wake);
        if (error) reject(error);
        else resolve();
      };
      const wake = () => {
        if (!stillWanted()) finish(new SubscriptionAbandoned());
        else if (this.current === "ready") finish();
        else if (this.current === "closed") finish(new EventBusError("CLOSED"));
        else if (this.current === "idle") finish(new EventBusError("BROKER_UNAVAILABLE"));
      };
      this.readyWaiters.add(wake);
    });
  }

  private setState(state: LinkState): void {
    if (this.current === state) return;
    this.current = state;
    this.events.emit("state", state);
  }

  private report(error: unknown): void {
    const wrapped = error instanceof Error ? error : new Error(String(error));
    if (this.events.listenerCount("error") > 0) this.events.emit("error", wrapped);
  }
}
