/**
 * The client's group subscriptions (`subscribe(type, handler, { group })`): one GroupConsumer per
 * subscription, started when it is added (the group exists when `subscribe` resolves) and stopped
 * gracefully when it is removed or the client disconnects. Two group subscriptions in one process
 * are two competing consumers.
 */
import type { Clock } from "../../../common/clock.js";
import { EventBusError } from "../../../protocol/errors.js";
import type { Broker } from "../../brokers/broker.js";
import type { Dispatcher, HandlerEntry } from "../dispatcher.js";
import type { Logger } from "../logger.js";
import { GroupConsumer } from "./group-consumer.js";
import type { GroupDefaults } from "./group-options.js";
import { resolveGroupSettings } from "./group-options.js";
import { type GroupStats, groupStats } from "./group-stats.js";

export interface GroupSubscriptionsDeps {
  readonly broker: () => Promise<Broker>;
  readonly dispatcher: Dispatcher;
  readonly logger: Logger;
  readonly defaults: GroupDefaults;
  readonly clock: Clock;
}

export interface NewGroupSubscription {
  readonly id: string;
  /** The event type's channel (with the prefix). */
  readonly channel: string;
  readonly type: string;
  readonly entry: Omit<HandlerEntry, "id">;
  readonly options: { readonly group: string; readonly concurrency?: number; readonly consumer?: string };
}

interface Member {
  readonly consumer: GroupConsumer;
  readonly entry: HandlerEntry;
  readonly type: string;
  readonly group: string;
  readonly channel: string;
  readonly broker: Broker;
}

export class GroupSubscriptions {
  private readonly members = new Map<string, Member>();

  constructor(private readonly deps: GroupSubscriptionsDeps) {}

  get size(): number {
    return this.members.size;
  }

  has(id: string): boolean {
    return this.members.has(id);
  }

  /** Starts a consumer; resolves once the group exists and the consumer runs. */
  async add(request: NewGroupSubscription): Promise<void> {
    if (request.type.includes("*") || /[?[\\]/.test(request.type)) {
      throw new EventBusError(
        "INVALID_OPTIONS",
        `subscribe: a group subscription needs an exact event type, not the pattern ${JSON.stringify(request.type)}; subscribe each type with the group.`,
      );
    }
    const settings = resolveGroupSettings(this.deps.defaults, request.options);
    const entry: HandlerEntry = { ...request.entry, id: request.id };
    const broker = await this.deps.broker();
    const consumer = new GroupConsumer({
      broker,
      channel: request.channel,
      entry,
      settings,
      dispatcher: this.deps.dispatcher,
      logger: this.deps.logger,
      clock: this.deps.clock,
    });
    const member = {
      consumer,
      entry,
      type: request.type,
      group: settings.group,
      channel: request.channel,
      broker,
    };
    this.members.set(request.id, member);
    try {
      await consumer.start();
    } catch (error) {
      this.members.delete(request.id);
      await consumer.stop();
      throw error;
    }
  }

  /** Stops a consumer (after handling what it fetched); resolves false when there was none. */
  async remove(id: string): Promise<boolean> {
    const member = this.members.get(id);
    if (!member) return false;
    this.members.delete(id);
    await member.consumer.stop();
    return true;
  }

  /** The handler with this id, or every group handler subscribed with this pattern (dead-letter replay). */
  handlersFor(subscriptionId: string, pattern: string): HandlerEntry[] {
    const member = this.members.get(subscriptionId);
    if (member) return [member.entry];
    return [...this.members.values()].filter((m) => m.entry.pattern === pattern).map((m) => m.entry);
  }

  async stats(): Promise<GroupStats[]> {
    return Promise.all(
      [...this.members].map(async ([subscriptionId, m]) =>
        groupStats(
          { subscriptionId, type: m.type, group: m.group, consumer: m.consumer.consumerName },
          await m.broker.streams.info(m.channel),
          m.consumer.counters,
        ),
      ),
    );
  }

  /** Stops every consumer (disconnect). */
  async stopAll(): Promise<void> {
    const all = [...this.members.values()];
    this.members.clear();
    await Promise.all(all.map((m) => m.consumer.stop()));
  }
}
