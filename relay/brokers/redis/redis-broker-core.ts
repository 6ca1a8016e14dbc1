/**
 * The redis folder (relay/brokers/redis/): the Redis broker (redis-broker.ts) and the Cluster
 * broker (cluster-broker.ts) on this shared core; commands and Lua scripts (redis-commands.ts,
 * redis-scripts.ts, redis-batch.ts), subscriber links with confirmed resubscription
 * (redis-subscriber.ts, redis-shards.ts per cluster node), the ready gate, errors and options.
 *
 * What the Redis and Redis Cluster brokers share: status, the ready gate that queues operations
 * during an outage, listener sharing through SubscriptionRegistry, `resubscribed` reporting,
 * error mapping and draining close. Subclasses supply the connections: a command client, and
 * subscriber links that tell this core when they are ready.
 */
import { Emitter } from "../../../common/emitter.js";
import { eventStreamKeys } from "../../../protocol/channels.js";
import { EventBusError } from "../../../protocol/errors.js";
import type { StreamPosition } from "../../../protocol/position.js";
import type {
  Broker,
  BrokerEvents,
  BrokerKind,
  BrokerStatus,
  HistoryOptions,
  LogEntry,
  MessageListener,
  PatternListener,
  PresenceRecord,
  PublishRecoverableOptions,
  PublishRecoverableResult,
  ReadHistoryResult,
  RenewEpochResult,
  Unsubscribe,
} from "../broker.js";
import type { GroupStreams } from "../group-streams.js";
import type { BatchItem, BatchOutcome, BatchPublishing } from "./redis-batch.js";
import type { RedisCommands } from "./redis-commands.js";
import { atTurnEnd } from "./redis-cork.js";
import { closedError, commandError, connectFailure, withoutSecrets } from "./redis-errors.js";
import { ReadyGate } from "./redis-gate.js";
import { GROUP_SCRIPTS } from "./redis-group-scripts.js";
import { InFlight } from "./redis-in-flight.js";
import { BrokerListeners } from "./redis-listeners.js";
import type { ResolvedRedisOptions } from "./redis-options.js";
import { RedisGroupStreams, type StreamClient } from "./redis-streams.js";

export abstract class RedisBrokerCore implements Broker, BatchPublishing {
  abstract readonly kind: BrokerKind;
  readonly history: HistoryOptions;
  protected readonly gate: ReadyGate;
  private readonly listeners: BrokerListeners;
  /** Consumer-group streams, on the command client (routed by slot on a cluster). */
  readonly streams: GroupStreams = new RedisGroupStreams((what, run) =>
    this.exec(what, () => run(this.streamClient())),
  );
  private readonly events = new Emitter<BrokerEvents>((error) => this.reportError(error));
  private state: BrokerStatus = "connecting";
  private opening: Promise<void> | undefined;
  private connected = false;
  private readonly inFlight: InFlight;
  private readonly resync = new Set<string>();
  /** Position reads asked this turn and not sent yet, by channel (position()). */
  private readonly positionReads = new Map<string, Promise<StreamPosition>>();
  private lastError: Error | undefined; // the last one reported: it names why a first connect failed

  protected constructor(protected readonly settings: ResolvedRedisOptions) {
    this.history = settings.history;
    this.inFlight = new InFlight(settings.clock);
    this.gate = new ReadyGate({
      maxQueued: settings.offlineQueueSize,
      timeoutMs: settings.offlineTimeoutMs,
      clock: settings.clock,
    });
    this.listeners = new BrokerListeners({
      subscribeChannel: (channel) => this.subscribeChannel(channel),
      unsubscribeChannel: (channel) => this.unsubscribeChannel(channel),
      subscribePattern: (pattern) => this.subscribePattern(pattern),
      unsubscribePattern: (pattern) => this.unsubscribePattern(pattern),
      reportError: (error) => this.reportError(error),
    });
  }

  /** The data commands, over the live command client. */
  protected abstract readonly commands: RedisCommands;
  /** The ioredis client for stream commands and scripts keyed by event type (a Redis or the Cluster). */
  protected abstract streamClient(): StreamClient;
  /** Runs a batch (redis-batch.ts) on the right node(s). */
  protected abstract sendBatch(items: readonly BatchItem[]): Promise<BatchOutcome[]>;
  /** Opens every connection; rejects (and leaves nothing running) when the first attempt fails. */
  protected abstract openConnections(): Promise<void>;
  protected abstract closeConnections(): Promise<void>;
  protected abstract describeTarget(): string; // for messages: the URL, password hidden, or the nodes
  /** Whether the command client and every subscriber link are ready. */
  protected abstract connectionsReady(): boolean;
  /** Whether a channel uses sharded pub/sub (SSUBSCRIBE/SPUBLISH): recoverable channels on a cluster. */
  protected abstract isSharded(channel: string): boolean;
  protected abstract subscribeChannel(channel: string): Promise<void>;
  protected abstract unsubscribeChannel(channel: string): Promise<void>;
  protected abstract subscribePattern(pattern: string): Promise<void>;
  protected abstract unsubscribePattern(pattern: string): Promise<void>;
  /** Called before each command: holds the connection's writes until the turn ends (redis-cork.ts). */
  protected holdWrites(): void {}

  get status(): BrokerStatus {
    return this.state;
  }

  on<E extends keyof BrokerEvents>(event: E, listener: BrokerEvents[E]): () => void {
    return this.events.on(event, listener);
  }

  connect(): Promise<void> {
    if (this.state === "closed") return Promise.reject(closedError());
    if (this.connected) return Promise.resolve();
    this.opening ??= this.openConnections().then(
      () => {
        this.opening = undefined;
        this.connected = true;
        this.connectionsChanged();
      },
      (error: unknown) => {
        this.opening = undefined;
        const failure = connectFailure(this.describeTarget(), error, this.lastError);
        this.gate.failWaiting(failure);
        throw failure;
      },
    );
    return this.opening;
  }

  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.setStatus("closed");
    this.gate.close();
    // Commands already sent get their replies; one stuck past the offline timeout is given up.
    await this.inFlight.drained(this.settings.offlineTimeoutMs);
    await this.closeConnections();
    this.listeners.clear();
    this.events.removeAllListeners();
  }

  async ping(): Promise<number> {
    if (this.state === "closed") throw closedError();
    if (!this.connected) await this.connect();
    if (!this.gate.isOpen) throw new EventBusError("BROKER_UNAVAILABLE", "Redis is reconnecting.");
    return this.exec("ping", () => this.commands.ping());
  }

  publish(channel: string, message: string): Promise<number> {
    const sharded = this.isSharded(channel);
    return this.exec("publish", () => this.commands.publish(channel, message, sharded));
  }

  publishEvent(channel: string, message: string): Promise<number> {
    return this.exec("publish", () => this.sendEvent(channel, message));
  }

  /** One script: append to the type's group stream when it has groups, then PUBLISH. */
  protected sendEvent(channel: string, message: string): Promise<number> {
    const { stream, config } = eventStreamKeys(channel);
    return GROUP_SCRIPTS.publishEvent
      .run(this.streamClient(), [stream, config], [channel, message])
      .then(Number);
  }

  publishRecoverable(
    channel: string,
    envelopeJson: string,
    options?: PublishRecoverableOptions,
  ): Promise<PublishRecoverableResult> {
    return this.exec("publish", () => this.commands.publishRecoverable(channel, envelopeJson, options));
  }

  /**
   * The channel's position, read no earlier than this call. Reads of one channel asked in the same
   * event-loop turn share one script call, sent when the turn ends — after every one of them was
   * asked, so each caller's "read after I joined the room" still holds (a connect storm: thousands
   * of joins of one room, one read per turn instead of one per join).
   */
  position(channel: string): Promise<StreamPosition> {
    const pending = this.positionReads.get(channel);
    if (pending !== undefined) return pending;
    const read = new Promise<StreamPosition>((resolve) => {
      atTurnEnd(() => {
        this.positionReads.delete(channel);
        resolve(this.exec("position", () => this.commands.position(channel)));
      });
    });
    this.positionReads.set(channel, read);
    return read;
  }

  /** Many publishes as one script call, in order (see redis-batch.ts). */
  publishBatch(items: readonly BatchItem[]): Promise<BatchOutcome[]> {
    if (items.length === 0) return Promise.resolve([]);
    return this.exec("publish", () => this.sendBatch(items));
  }

  readHistory(
    channel: string,
    since: StreamPosition,
    limit: number,
    maxBytes?: number,
  ): Promise<ReadHistoryResult> {
    return this.exec("readHistory", () => this.commands.readHistory(channel, since, limit, maxBytes));
  }

  renewEpoch(channel: string, seen: StreamPosition): Promise<RenewEpochResult> {
    return this.exec("renewEpoch", () => this.commands.renewEpoch(channel, seen));
  }

  async subscribe(channel: string, listener: MessageListener): Promise<Unsubscribe> {
    await this.ensureConnected();
    return this.listeners.channels.add(channel, listener);
  }

  async psubscribe(pattern: string, listener: PatternListener): Promise<Unsubscribe> {
    await this.ensureConnected();
    return this.listeners.patterns.add(pattern, listener);
  }

  subscriptions(): { channels: string[]; patterns: string[] } {
    return this.listeners.names();
  }

  presenceAdd(channel: string, records: readonly PresenceRecord[], ttlMs: number): Promise<void> {
    return this.exec("presenceAdd", () => this.commands.presenceAdd(channel, records, ttlMs));
  }

  presenceRemove(channel: string, connectionIds: readonly string[]): Promise<void> {
    return this.exec("presenceRemove", () => this.commands.presenceRemove(channel, connectionIds));
  }

  presenceList(channel: string): Promise<{ members: PresenceRecord[]; expired: PresenceRecord[] }> {
    return this.exec("presenceList", () => this.commands.presenceList(channel));
  }

  setValue(key: string, value: string, ttlMs: number): Promise<void> {
    return this.exec("setValue", () => this.commands.setValue(key, value, ttlMs));
  }

  getValue(key: string): Promise<string | null> {
    return this.exec("getValue", () => this.commands.getValue(key));
  }

  appendLog(key: string, value: string, maxLength: number): Promise<string> {
    return this.exec("appendLog", () => this.commands.appendLog(key, value, maxLength));
  }

  readLog(key: string, options: { readonly after?: string; readonly count: number }): Promise<LogEntry[]> {
    return this.exec("readLog", () => this.commands.readLog(key, options));
  }

  deleteLog(key: string, ids: readonly string[]): Promise<number> {
    return this.exec("deleteLog", () => this.commands.deleteLog(key, ids));
  }

  deleteKey(key: string): Promise<void> {
    return this.exec("deleteKey", () => this.commands.deleteKey(key));
  }

  /** Subclasses call this whenever a connection's readiness may have changed. */
  protected connectionsChanged(): void {
    if (this.state === "closed" || !this.connected) return;
    if (this.connectionsReady()) {
      if (this.state === "ready") return;
      const channels = [...this.resync].filter((c) => this.listeners.channels.has(c));
      this.resync.clear();
      if (this.state === "reconnecting") this.events.emit("resubscribed", channels);
      this.setStatus("ready");
      this.gate.open();
    } else if (this.state !== "reconnecting") {
      this.gate.shut();
      this.setStatus("reconnecting");
    }
  }

  /** Channels whose subscription was re-established after a loss: reported with `resubscribed`. */
  protected noteResubscribed(channels: readonly string[]): void {
    for (const channel of channels) this.resync.add(channel);
    if (this.state === "ready" && channels.length > 0) {
      this.resync.clear();
      this.events.emit("resubscribed", channels);
    }
  }

  protected deliver(channel: string, message: string, pattern: string | undefined): void {
    this.listeners.deliver(channel, message, pattern);
  }

  protected reportError(error: unknown): void {
    this.lastError = withoutSecrets(error instanceof Error ? error : new Error(String(error)));
    if (this.events.listenerCount("error") > 0) this.events.emit("error", this.lastError);
  }

  private async ensureConnected(): Promise<void> {
    if (this.state === "closed") throw closedError();
    if (!this.connected) await this.connect();
  }

  /** Runs a command now when ready, else queues it (bounded, with a timeout); maps errors to codes. */
  private exec<T>(what: string, command: () => Promise<T>): Promise<T> {
    if (this.state === "closed") return Promise.reject(closedError());
    if (!this.connected && !this.opening) this.connect().catch(() => {});
    this.inFlight.start();
    return this.gate
      .run(() => {
        this.holdWrites();
        return command();
      })
      .then(
        (value) => {
          this.inFlight.end();
          return value;
        },
        (error: unknown) => {
          this.inFlight.end();
          throw commandError(error, what);
        },
      );
  }

  private setStatus(status: BrokerStatus): void {
    if (this.state === status) return;
    this.state = status;
    this.events.emit("status", status);
  }
}
