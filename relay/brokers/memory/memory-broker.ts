/**
 * The memory folder (relay/brokers/memory/): the in-process hub (memory-hub.ts: channels,
 * patterns, history, presence, values) and the broker connected to it (this file).
 *
 * The embedded broker: a connection to an in-process MemoryHub. No Redis needed (`npm start`
 * runs on it); same semantics as the Redis brokers, within one process.
 */
import { Emitter } from "../../../common/emitter.js";
import { EventBusError } from "../../../protocol/errors.js";
import type { StreamPosition } from "../../../protocol/position.js";
import {
  type Broker,
  type BrokerEvents,
  type BrokerStatus,
  DEFAULT_HISTORY,
  type HistoryOptions,
  type LogEntry,
  type MessageListener,
  type PatternListener,
  type PresenceRecord,
  type PublishRecoverableOptions,
  type PublishRecoverableResult,
  type ReadHistoryResult,
  type RenewEpochResult,
  type Unsubscribe,
} from "../broker.js";
import type { GroupStreams } from "../group-streams.js";
import { SubscriptionRegistry } from "../subscription-registry.js";
import { MemoryGroupStreams } from "./memory-group-streams.js";
import { defaultMemoryHub, type HubSubscriber, type MemoryHub } from "./memory-hub.js";

export interface MemoryBrokerOptions {
  /** The hub to connect to; default: the process-wide hub. */
  readonly hub?: MemoryHub;
  readonly history?: Partial<HistoryOptions>;
}

export const DEFAULT_DEDUP_TTL_MS = 10 * 60_000;

export class MemoryBroker implements Broker {
  readonly kind = "memory";
  readonly history: HistoryOptions;
  readonly hub: MemoryHub;
  readonly streams: GroupStreams;
  private state: BrokerStatus = "connecting";
  private readonly events = new Emitter<BrokerEvents>((error) => this.reportError(error));
  private readonly subscriber: HubSubscriber;
  private readonly channelListeners: SubscriptionRegistry<MessageListener>;
  private readonly patternListeners: SubscriptionRegistry<PatternListener>;

  constructor(options: MemoryBrokerOptions = {}) {
    this.hub = options.hub ?? defaultMemoryHub;
    this.history = { ...DEFAULT_HISTORY, ...options.history };
    this.streams = new MemoryGroupStreams(this.hub, () => this.ready());
    this.subscriber = {
      deliver: (channel, message, pattern) => {
        if (pattern === undefined) {
          this.channelListeners.forEach(
            channel,
            (l) => l(channel, message),
            (e) => this.reportError(e),
          );
        } else {
          this.patternListeners.forEach(
            pattern,
            (l) => l(channel, message, pattern),
            (e) => this.reportError(e),
          );
        }
      },
    };
    this.channelListeners = new SubscriptionRegistry({
      subscribe: async (channel) => this.hub.subscribe(this.subscriber, channel),
      unsubscribe: async (channel) => this.hub.unsubscribe(this.subscriber, channel),
    });
    this.patternListeners = new SubscriptionRegistry({
      subscribe: async (pattern) => this.hub.psubscribe(this.subscriber, pattern),
      unsubscribe: async (pattern) => this.hub.punsubscribe(this.subscriber, pattern),
    });
  }

  get status(): BrokerStatus {
    return this.state;
  }

  async connect(): Promise<void> {
    this.assertOpen();
    if (this.state === "ready") return;
    this.setStatus("ready");
  }

  async close(): Promise<void> {
    if (this.state === "closed") return;
    for (const channel of this.channelListeners.names()) this.hub.unsubscribe(this.subscriber, channel);
    for (const pattern of this.patternListeners.names()) this.hub.punsubscribe(this.subscriber, pattern);
    this.channelListeners.clear();
    this.patternListeners.clear();
    this.setStatus("closed");
    this.events.removeAllListeners();
  }

  async ping(): Promise<number> {
    this.assertOpen();
    return 0;
  }

  on<E extends keyof BrokerEvents>(event: E, listener: BrokerEvents[E]): () => void {
    return this.events.on(event, listener);
  }

  async publish(channel: string, message: string): Promise<number> {
    await this.ready();
    return this.hub.publish(channel, message);
  }

  async publishEvent(channel: string, message: string): Promise<number> {
    await this.ready();
    return this.hub.publishEvent(channel, message);
  }

  async publishRecoverable(
    channel: string,
    envelopeJson: string,
    options: PublishRecoverableOptions = {},
  ): Promise<PublishRecoverableResult> {
    await this.ready();
    return this.hub.publishRecoverable(
      channel,
      envelopeJson,
      this.history,
      options.dedupId,
      options.dedupTtlMs ?? DEFAULT_DEDUP_TTL_MS,
    );
  }

  async position(channel: string): Promise<StreamPosition> {
    await this.ready();
    return this.hub.position(channel, this.history);
  }

  async readHistory(
    channel: string,
    since: StreamPosition,
    limit: number,
    maxBytes = Number.MAX_SAFE_INTEGER,
  ): Promise<ReadHistoryResult> {
    await this.ready();
    return this.hub.readHistory(channel, since, { limit, maxBytes }, this.history);
  }

  async renewEpoch(channel: string, seen: StreamPosition): Promise<RenewEpochResult> {
    await this.ready();
    return this.hub.renewEpoch(channel, seen, this.history);
  }

  async subscribe(channel: string, listener: MessageListener): Promise<Unsubscribe> {
    await this.ready();
    return this.channelListeners.add(channel, listener);
  }

  async psubscribe(pattern: string, listener: PatternListener): Promise<Unsubscribe> {
    await this.ready();
    return this.patternListeners.add(pattern, listener);
  }

  subscriptions(): { channels: string[]; patterns: string[] } {
    return { channels: this.channelListeners.names(), patterns: this.patternListeners.names() };
  }

  async presenceAdd(channel: string, records: readonly PresenceRecord[], ttlMs: number): Promise<void> {
    await this.ready();
    this.hub.presence.add(channel, records, ttlMs);
  }

  async presenceRemove(channel: string, connectionIds: readonly string[]): Promise<void> {
    await this.ready();
    this.hub.presence.remove(channel, connectionIds);
  }

  async presenceList(channel: string): Promise<{ members: PresenceRecord[]; expired: PresenceRecord[] }> {
    await this.ready();
    return this.hub.presence.list(channel);
  }

  async setValue(key: string, value: string, ttlMs: number): Promise<void> {
    await this.ready();
    this.hub.setValue(key, value, ttlMs);
  }

  async getValue(key: string): Promise<string | null> {
    await this.ready();
    return this.hub.getValue(key);
  }

  async appendLog(key: string, value: string, maxLength: number): Promise<string> {
    await this.ready();
    return this.hub.logs.append(key, value, maxLength);
  }

  async readLog(key: string, options: { after?: string; count: number }): Promise<LogEntry[]> {
    await this.ready();
    return this.hub.logs.read(key, options.after, options.count);
  }

  async deleteLog(key: string, ids: readonly string[]): Promise<number> {
    await this.ready();
    return this.hub.logs.remove(key, ids);
  }

  async deleteKey(key: string): Promise<void> {
    await this.ready();
    this.hub.deleteKey(key);
  }

  /** Connects lazily on first use, like the Redis brokers. */
  private async ready(): Promise<void> {
    if (this.state !== "ready") await this.connect();
  }

  private assertOpen(): void {
    if (this.state === "closed") throw new EventBusError("CLOSED", "This broker was closed.");
  }

  private setStatus(status: BrokerStatus): void {
    this.state = status;
    this.events.emit("status", status);
  }

  /** A listener threw: reported on "error", or as a process warning when nobody listens (never lost). */
  private reportError(error: unknown): void {
    const text = error instanceof Error ? error.message : String(error);
    const coded = new EventBusError("INTERNAL", `A subscription listener threw: ${text}`, { cause: error });
    if (this.events.listenerCount("error") > 0) this.events.emit("error", coded);
    else process.emitWarning(coded.message, { code: "EVENT_BUS_LISTENER_ERROR" });
  }
}
