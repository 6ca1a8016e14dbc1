/**
 * The memory broker's GroupStreams: the hub's in-process streams (memory-streams.ts) behind the
 * asynchronous interface the Redis brokers have, connecting lazily like every memory operation.
 */
import type {
  ClaimResult,
  GroupEntry,
  GroupStreams,
  StreamBounds,
  StreamInfo,
  StreamRecord,
  StreamSource,
} from "../group-streams.js";
import type { MemoryHub } from "./memory-hub.js";

export class MemoryGroupStreams implements GroupStreams {
  constructor(
    private readonly hub: MemoryHub,
    private readonly ready: () => Promise<void>,
  ) {}

  async createGroup(channel: string, group: string, bounds: StreamBounds): Promise<boolean> {
    await this.ready();
    return this.hub.streams.createGroup(channel, group, bounds);
  }

  async read(channel: string, group: string, consumer: string, count: number): Promise<GroupEntry[]> {
    await this.ready();
    return this.hub.streams.read(channel, group, consumer, count);
  }

  async ack(channel: string, group: string, ids: readonly string[]): Promise<number> {
    await this.ready();
    return this.hub.streams.ack(channel, group, ids);
  }

  async claim(
    channel: string,
    group: string,
    consumer: string,
    options: { readonly minIdleMs: number; readonly count: number; readonly cursor: string },
  ): Promise<ClaimResult> {
    await this.ready();
    return this.hub.streams.claim(channel, group, consumer, options);
  }

  async touch(
    channel: string,
    group: string,
    consumer: string,
    ids: readonly string[],
    deliveries?: number,
  ): Promise<string[]> {
    await this.ready();
    return this.hub.streams.touch(channel, group, consumer, ids, deliveries);
  }

  async info(channel: string): Promise<StreamInfo> {
    await this.ready();
    return this.hub.streams.info(channel);
  }

  async append(channel: string, message: string, onlyGroup: string): Promise<string | null> {
    await this.ready();
    return this.hub.streams.appendIfGrouped(channel, message, onlyGroup);
  }

  async range(
    source: StreamSource,
    channel: string,
    options: { readonly after?: string; readonly count: number },
  ): Promise<StreamRecord[]> {
    await this.ready();
    const count = Math.max(1, Math.floor(options.count));
    return source === "history"
      ? this.hub.historyRange(channel, options.after, count)
      : this.hub.streams.range(channel, options.after, count);
  }

  async removeConsumer(channel: string, group: string, consumer: string): Promise<boolean> {
    await this.ready();
    return this.hub.streams.removeConsumer(channel, group, consumer);
  }
}
