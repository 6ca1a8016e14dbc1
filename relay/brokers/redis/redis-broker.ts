/**
 * The broker on one Redis server (ioredis): a command connection and a dedicated subscriber
 * connection. Recoverable publishes, history and presence run as Lua scripts (redis-scripts.ts).
 *
 * When Redis goes away the status becomes `reconnecting`; both connections come back with
 * jittered exponential backoff; the subscriber subscribes to everything again and waits for
 * Redis to confirm; then `resubscribed(channels)` fires and the status is `ready` again.
 * Operations issued meanwhile wait in a bounded queue and run in order once ready, or are
 * rejected with a coded error (redis-gate.ts). Commands in flight when the connection drops are
 * rejected with BROKER_UNAVAILABLE (Redis may or may not have applied them).
 */
import type { Redis } from "ioredis";
import { backoffDelay } from "../../../common/backoff.js";
import { EventBusError } from "../../../protocol/errors.js";
import { type BatchItem, type BatchOutcome, runBatch } from "./redis-batch.js";
import { RedisBrokerCore } from "./redis-broker-core.js";
import { RedisCommands } from "./redis-commands.js";
import { connectTo, type RedisOptions, type RedisTarget } from "./redis-connection.js";
import { corkForThisTurn } from "./redis-cork.js";
import { watchHealth } from "./redis-health.js";
import { type RedisBrokerCommonOptions, resolveRedisOptions } from "./redis-options.js";
import { SubscriberLink } from "./redis-subscriber.js";
import { checkRedisUrl, redactRedisUrl } from "./redis-url.js";

export interface RedisBrokerOptions extends RedisBrokerCommonOptions {
  /** A redis:// or rediss:// URL, or ioredis connection options ({ host, port, password, tls, … }). */
  readonly connection: string | RedisOptions;
  /** More ioredis options, applied over the URL (e.g. tls, password). */
  readonly redisOptions?: RedisOptions;
}

export class RedisBroker extends RedisBrokerCore {
  readonly kind = "redis";
  protected readonly commands: RedisCommands;
  private readonly client: Redis;
  private readonly link: SubscriberLink;
  private readonly target: RedisTarget;

  constructor(options: RedisBrokerOptions) {
    const target: RedisTarget =
      typeof options.connection === "string"
        ? { url: checkRedisUrl(options.connection, "The Redis URL"), options: options.redisOptions ?? {} }
        : { options: { ...options.connection, ...options.redisOptions } };
    super(resolveRedisOptions(options));
    this.target = target;
    const { settings } = this;
    const connectTimeout = settings.connectTimeoutMs;
    const commandOptions: RedisOptions = {
      lazyConnect: true,
      connectTimeout,
      retryStrategy: (attempt) => backoffDelay(attempt - 1, settings.reconnect),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      enableAutoPipelining: settings.autoPipelining,
      ...(settings.commandTimeoutMs !== undefined && { commandTimeout: settings.commandTimeoutMs }),
    };
    this.client = connectTo(target, commandOptions);
    this.commands = new RedisCommands(this.client, settings.history, "PUBLISH");
    this.link = new SubscriberLink({
      connection: () => target,
      backoff: settings.reconnect,
      timeoutMs: settings.offlineTimeoutMs,
      connectTimeoutMs: connectTimeout,
      healthCheckMs: settings.healthCheckMs,
      clock: settings.clock,
    });
    this.wire();
  }

  protected async openConnections(): Promise<void> {
    try {
      await Promise.all([this.client.connect(), this.link.start()]);
    } catch (error) {
      this.client.disconnect();
      this.link.stop();
      throw error;
    }
  }

  protected async closeConnections(): Promise<void> {
    this.link.close();
    if (this.client.status === "ready") await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }

  protected describeTarget(): string {
    return describeTarget(this.target);
  }

  protected connectionsReady(): boolean {
    return this.client.status === "ready" && this.link.state === "ready";
  }

  protected streamClient(): Redis {
    return this.client;
  }

  protected sendBatch(items: readonly BatchItem[]): Promise<BatchOutcome[]> {
    return runBatch(this.client, items, this.history, "PUBLISH");
  }

  protected override holdWrites(): void {
    if (this.client.status === "ready") corkForThisTurn(this.client.stream);
  }

  protected isSharded(): boolean {
    return false;
  }

  protected subscribeChannel(channel: string): Promise<void> {
    return this.link.add("channel", channel);
  }

  protected unsubscribeChannel(channel: string): Promise<void> {
    return this.link.remove("channel", channel);
  }

  protected subscribePattern(pattern: string): Promise<void> {
    return this.link.add("pattern", pattern);
  }

  protected unsubscribePattern(pattern: string): Promise<void> {
    return this.link.remove("pattern", pattern);
  }

  /** A silent command connection is dropped and reconnects (its in-flight commands: BROKER_UNAVAILABLE). */
  private watchCommandHealth(): () => void {
    return watchHealth({
      intervalMs: this.settings.healthCheckMs,
      clock: this.settings.clock,
      ping: () => this.client.ping(),
      silent: () => {
        this.reportError(
          new EventBusError(
            "BROKER_UNAVAILABLE",
            "The Redis command connection stopped answering PING; reconnecting.",
          ),
        );
        this.client.stream.destroy(); // not disconnect(): a graceful close waits on the silent peer; it reconnects
      },
    });
  }

  private wire(): void {
    for (const event of ["ready", "close", "end", "reconnecting"]) {
      this.client.on(event, () => this.connectionsChanged());
    }
    let reported = false;
    let stopHealth = () => {};
    this.client.on("ready", () => {
      reported = false;
      stopHealth();
      if (this.settings.healthCheckMs > 0) stopHealth = this.watchCommandHealth();
    });
    this.client.on("close", () => stopHealth());
    this.client.on("error", (error: Error) => {
      if (reported) return;
      reported = true;
      this.reportError(error);
    });
    this.link.on("state", () => this.connectionsChanged());
    this.link.on("restored", (channels) => this.noteResubscribed(channels));
    this.link.on("message", (channel, message, pattern) => this.deliver(channel, message, pattern));
    this.link.on("error", (error) => this.reportError(error));
  }
}

/** Where a broker connects, for messages: the URL with its password hidden, or host:port. */
function describeTarget({ url, options }: RedisTarget): string {
  if (url !== undefined) return redactRedisUrl(url);
  return options.path ?? `${options.host ?? "localhost"}:${options.port ?? 6379}`;
}
