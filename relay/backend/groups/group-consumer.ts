/**
 * One consumer of a consumer group: competing consumers over an event type's group stream
 * (relay/brokers/group-streams.ts), at least once.
 *
 * - Fetch: XREADGROUP of new entries, up to `prefetch` owned at a time, woken by the type's live
 *   PUBLISH (every publishEvent appends and publishes in one step), by the broker becoming ready
 *   again, and by a poll timer (a wake-up lost during a reconnect costs at most one poll interval).
 * - Handle: `concurrency` at a time, in stream order, each with the subscription's timeout,
 *   retries and dead letter (Dispatcher.runGroupDelivery); the attempt number is the group's
 *   delivery count. Acknowledged (XACK, batched per tick) only once settled.
 * - Heartbeat: the entries it owns are touched every claimIdleMs/3, so a slow handler is never
 *   taken over while its consumer lives; each retry is recorded as a delivery.
 * - Claim: entries idle for claimIdleMs (their consumer died) are claimed and handled here, with
 *   the next attempt number.
 */
import { type Clock, createRepeater, type Repeater } from "../../../common/clock.js";
import { isEventBusError } from "../../../protocol/errors.js";
import type { Broker, Unsubscribe } from "../../brokers/broker.js";
import { compareStreamIds, type GroupEntry } from "../../brokers/group-streams.js";
import type { Dispatcher, GroupOutcome, HandlerEntry } from "../dispatcher.js";
import { errorFields, type Logger } from "../logger.js";
import { AckBatcher, DrainWaiter } from "./group-acks.js";
import { attemptBudget, boundsOf, type GroupSettings } from "./group-options.js";
import { GroupUpkeep } from "./group-upkeep.js";

export interface GroupConsumerDeps {
  readonly broker: Broker;
  /** The event type's channel (with the prefix). */
  readonly channel: string;
  readonly entry: HandlerEntry;
  readonly settings: GroupSettings;
  readonly dispatcher: Dispatcher;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** What this consumer did since it started. */
export interface GroupCounters {
  handled: number;
  deadLettered: number;
  dropped: number;
  /** Entries taken over from a consumer that stopped answering. */
  claimed: number;
  /** Deliveries with attempt ≥ 2 (retries after a consumer died). */
  redelivered: number;
  /** Pending entries found trimmed from the stream before anyone handled them (lost to the bound). */
  trimmed: number;
}

export class GroupConsumer {
  readonly counters: GroupCounters = {
    handled: 0,
    deadLettered: 0,
    dropped: 0,
    claimed: 0,
    redelivered: 0,
    trimmed: 0,
  };
  private readonly buffer: GroupEntry[] = [];
  private readonly owned = new Map<string, GroupEntry>();
  private running = 0;
  private reading = false;
  private again = false;
  private stopping = false;
  private halted = false;
  private readonly timers: Repeater[] = [];
  private readonly offs: (() => void)[] = [];
  private wake: Unsubscribe | undefined;
  private lastError = "";
  private readonly acks: AckBatcher;
  private readonly drain: DrainWaiter;
  private readonly upkeep: GroupUpkeep;

  constructor(private readonly deps: GroupConsumerDeps) {
    const { broker, channel, settings } = deps;
    this.drain = new DrainWaiter(deps.clock, () => this.running === 0 && this.buffer.length === 0);
    this.acks = new AckBatcher(
      (ids) => broker.streams.ack(channel, settings.group, ids),
      (error) => this.failed("ack", error),
    );
    this.upkeep = new GroupUpkeep(deps, {
      owned: this.owned,
      buffer: this.buffer,
      counters: this.counters,
      active: () => !this.stopping && !this.halted,
      take: (entries) => this.take(entries, true),
      failed: (what, error) => this.failed(what, error),
    });
  }

  get consumerName(): string {
    return this.deps.settings.consumer;
  }

  /** Creates the group if needed and starts consuming; resolves once the group exists. */
  async start(): Promise<void> {
    const { broker, channel, settings } = this.deps;
    await this.ensureGroup();
    this.wake = await broker.subscribe(channel, () => this.pump());
    this.offs.push(
      broker.on("status", (status) => {
        if (status === "ready") this.pump();
      }),
      broker.on("resubscribed", () => this.pump()),
    );
    this.every(settings.pollIntervalMs, () => this.pump());
    this.every(Math.max(10, Math.floor(settings.claimIdleMs / 2)), () => this.upkeep.claim());
    this.every(Math.max(5, Math.floor(settings.claimIdleMs / 3)), () => this.upkeep.heartbeat());
    this.pump();
    this.upkeep.claim();
  }

  /**
   * Stops fetching, handles what it already fetched (within stopTimeoutMs), sends the last
   * acknowledgements and leaves the group's consumer list when it owns nothing any more.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.clearTimers();
    await this.wake?.().catch(() => {});
    await this.drain.wait(this.deps.settings.stopTimeoutMs);
    await this.acks.flush();
    if (this.owned.size === 0 && !this.halted) {
      const { broker, channel, settings } = this.deps;
      await broker.streams.removeConsumer(channel, settings.group, settings.consumer).catch(() => {});
    }
  }

  /** Fetches when there is room, and starts handlers for what was fetched. */
  private pump(): void {
    if (this.halted) return;
    this.startHandlers();
    if (this.stopping) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    const room = this.deps.settings.prefetch - this.owned.size;
    // Read in batches: when half the prefetch is free, or when there is nothing left to handle.
    if (room <= 0 || (room < this.deps.settings.prefetch / 2 && this.buffer.length > 0)) return;
    this.reading = true;
    this.again = false;
    const { broker, channel, settings } = this.deps;
    broker.streams.read(channel, settings.group, settings.consumer, room).then(
      (entries) => {
        this.reading = false;
        this.take(entries, false);
        if (this.again || entries.length === room) this.pump();
      },
      (error: unknown) => {
        this.reading = false;
        this.failed("read", error);
      },
    );
  }

  private take(entries: readonly GroupEntry[], claimed: boolean): void {
    for (const entry of entries) {
      if (this.owned.has(entry.id)) continue;
      this.owned.set(entry.id, entry);
      if (claimed) this.buffer.unshift(entry);
      else this.buffer.push(entry);
    }
    if (claimed) this.buffer.sort((a, b) => compareStreamIds(a.id, b.id));
    this.startHandlers();
  }

  private startHandlers(): void {
    while (this.running < this.deps.settings.concurrency && this.buffer.length > 0 && !this.halted) {
      const entry = this.buffer.shift() as GroupEntry;
      this.running++;
      void this.handle(entry).then(() => {
        this.running--;
        this.owned.delete(entry.id);
        this.drain.check();
        this.pump();
      });
    }
  }

  private async handle(entry: GroupEntry): Promise<void> {
    const { dispatcher, entry: handler, channel, settings } = this.deps;
    if (entry.onlyGroup !== undefined && entry.onlyGroup !== settings.group) {
      this.acks.add(entry.id);
      return;
    }
    if (entry.deliveries > 1) this.counters.redelivered++;
    const budget = attemptBudget(entry.deliveries, {
      retryOnError: handler.policy.retryOnError,
      maxRetries: handler.policy.retry.maxRetries,
    });
    const outcome = await dispatcher.runGroupDelivery(handler, entry.message, channel, {
      group: settings.group,
      ...budget,
      onRetry: (attempt) => this.recordAttempt(entry.id, attempt),
    });
    this.count(outcome);
    if (outcome !== "unsettled") this.acks.add(entry.id);
  }

  private count(outcome: GroupOutcome): void {
    if (outcome === "handled") this.counters.handled++;
    else if (outcome === "dead-lettered") this.counters.deadLettered++;
    else if (outcome === "dropped") this.counters.dropped++;
  }

  private recordAttempt(id: string, attempt: number): void {
    const { broker, channel, settings } = this.deps;
    broker.streams
      .touch(channel, settings.group, settings.consumer, [id], attempt)
      .catch((error: unknown) => this.failed("touch", error));
  }

  private async ensureGroup(): Promise<void> {
    const { broker, channel, settings } = this.deps;
    await broker.streams.createGroup(channel, settings.group, boundsOf(settings));
  }

  /** A failed stream operation: recreate a lost group, stop for good when closed, else log once. */
  private failed(what: string, error: unknown): void {
    if (isEventBusError(error) && error.code === "CLOSED") {
      this.halt();
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (message.includes("NOGROUP")) {
      // The stream was lost (Redis restarted without persistence): declare it again.
      this.ensureGroup().then(
        () => this.pump(),
        (again: unknown) => this.failed("createGroup", again),
      );
      return;
    }
    if (message === this.lastError) return;
    this.lastError = message;
    const { channel, settings } = this.deps;
    this.deps.logger.warn(
      { channel, group: settings.group, operation: what, ...errorFields(error) },
      "event-bus: consumer group operation failed; retrying",
    );
  }

  private halt(): void {
    this.halted = true;
    this.clearTimers();
    this.buffer.length = 0;
    this.drain.check();
  }

  private every(ms: number, run: () => void): void {
    const repeater = createRepeater(this.deps.clock, ms, run);
    repeater.start();
    this.timers.push(repeater);
  }

  private clearTimers(): void {
    for (const timer of this.timers.splice(0)) timer.stop();
    for (const off of this.offs.splice(0)) off();
  }
}
