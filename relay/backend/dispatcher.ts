/**
 * From a raw message to handler runs: decode and validate once per subscription route, drop
 * what is not for application handlers (system `$…` types; non-event channels seen by a pattern),
 * run the receive middleware, then start every handler of the route in arrival order — each on
 * its own, with timeout, retries and, after the last attempt, a dead letter.
 */

import type { Clock } from "../../common/clock.js";
import { decodeMessage } from "../../protocol/codec.js";
import type { EventEnvelope } from "../../protocol/envelope.js";
import { EventBusError } from "../../protocol/errors.js";
import { isSystemType } from "../../protocol/frames.js";
import type { Limits } from "../../protocol/limits.js";
import type { StreamPosition } from "../../protocol/position.js";
import type { DeadLetterRecord } from "./dead-letters.js";
import { type RunOutcome, type RunPolicy, runWithRetries } from "./handler-runner.js";
import { errorFields, type Logger } from "./logger.js";
import type { MiddlewareChain } from "./middleware.js";
import type { StatsTracker } from "./stats.js";
import type { EventHandler, ReceivedEvent } from "./types.js";

export interface HandlerEntry {
  readonly id: string;
  /** The pattern as the user gave it (no prefix). */
  readonly pattern: string;
  readonly handler: EventHandler;
  readonly policy: RunPolicy;
}

export interface DispatcherDeps {
  readonly limits: Limits;
  readonly middleware: MiddlewareChain;
  readonly stats: StatsTracker;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly deadLetter: (record: DeadLetterRecord) => Promise<string>;
}

/** Which attempts a group delivery may make (see GroupConsumer). */
export interface GroupAttempts {
  readonly group: string;
  /** The attempt number of this delivery (the group's delivery count). */
  readonly first: number;
  /** The last attempt allowed (retries happen while attempt < last). */
  readonly last: number;
  /** The event was delivered too often (consumers kept dying): dead-letter it without running. */
  readonly exhausted: boolean;
  /** Called before each retry with its attempt number (the consumer records it in Redis). */
  readonly onRetry: (attempt: number) => void;
}

export type GroupOutcome = "handled" | "dead-lettered" | "dropped" | "unsettled";

interface Delivery {
  readonly envelope: EventEnvelope;
  readonly position: StreamPosition | undefined;
  readonly channel: string;
}

export class Dispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  /** Handles one raw message for the handlers of one route (`brokerName`: channel or glob with prefix). */
  dispatch(raw: string, channel: string, brokerName: string, handlers: Iterable<HandlerEntry>): void {
    let delivery: Delivery;
    try {
      const { envelope, position } = decodeMessage(raw, this.deps.limits, { allowSystem: true });
      if (isSystemType(envelope.type)) return;
      delivery = { envelope, position, channel };
    } catch (error) {
      this.deps.logger.warn({ channel, ...errorFields(error) }, "event-bus: dropped a malformed message");
      return;
    }
    this.deps.stats.recordReceived();
    const entries = [...handlers];
    if (!this.deps.middleware.hasReceiveHooks) {
      for (const entry of entries) void this.run(entry, delivery);
      return;
    }
    this.deps.middleware.receive(delivery.envelope, { channel, pattern: brokerName }).then(
      (envelope) => {
        if (envelope) for (const entry of entries) void this.run(entry, { ...delivery, envelope });
      },
      (error: unknown) =>
        this.deps.logger.warn({ channel, ...errorFields(error) }, "event-bus: receive middleware failed"),
    );
  }

  /** Runs handlers once more for a dead letter (one attempt each); resolves to how many succeeded. */
  async replay(entries: readonly HandlerEntry[], envelope: EventEnvelope, channel: string): Promise<number> {
    const outcomes = await Promise.all(
      entries.map((entry) =>
        runWithRetries(
          (attempt) => entry.handler(received({ envelope, position: undefined, channel }, attempt)),
          { ...entry.policy, retryOnError: false },
          this.deps.clock,
        ),
      ),
    );
    return outcomes.filter((o) => o.ok).length;
  }

  /**
   * Handles one delivery of a consumer group (relay/backend/groups): decode, receive middleware,
   * attempts `first`…`last` (numbered as the group counts deliveries), a dead letter after the
   * last failure. Resolves to what happened, so the caller acknowledges only what is settled:
   * `handled`, `dead-lettered`, `dropped` (malformed, system type, or dropped by middleware), or
   * `unsettled` (the dead letter could not be stored; the entry must stay pending).
   */
  async runGroupDelivery(
    entry: HandlerEntry,
    raw: string,
    channel: string,
    attempts: GroupAttempts,
  ): Promise<GroupOutcome> {
    const decoded = this.decodeForGroup(raw, channel);
    if (!decoded) return "dropped";
    this.deps.stats.recordReceived();
    const envelope = this.deps.middleware.hasReceiveHooks
      ? await this.deps.middleware
          .receive(decoded.envelope, { channel, pattern: channel })
          .catch((error: unknown) => {
            this.deps.logger.warn({ channel, ...errorFields(error) }, "event-bus: receive middleware failed");
            return null;
          })
      : decoded.envelope;
    if (!envelope) return "dropped";
    const delivery = { ...decoded, envelope };
    if (attempts.exhausted) {
      const error = new EventBusError(
        "DELIVERY_LIMIT",
        `Event ${envelope.id} was delivered ${attempts.first - 1} times in group ${attempts.group} without being acknowledged.`,
      );
      return (await this.fail(
        entry,
        delivery,
        { ok: false, attempts: attempts.first - 1, error },
        attempts.group,
      ))
        ? "dead-lettered"
        : "unsettled";
    }
    const startedAt = this.deps.clock.now();
    const outcome = await runWithRetries(
      (n) => {
        if (n > 1) attempts.onRetry(attempts.first + n - 1);
        return entry.handler({ ...received(delivery, attempts.first + n - 1), group: attempts.group });
      },
      {
        ...entry.policy,
        retryOnError: attempts.last > attempts.first,
        retry: { ...entry.policy.retry, maxRetries: attempts.last - attempts.first },
      },
      this.deps.clock,
    );
    if (outcome.ok) {
      this.deps.stats.recordDelivered(envelope.metadata.timestamp, startedAt);
      return "handled";
    }
    return (await this.fail(entry, delivery, outcome, attempts.group)) ? "dead-lettered" : "unsettled";
  }

  private decodeForGroup(raw: string, channel: string): Delivery | undefined {
    try {
      const { envelope, position } = decodeMessage(raw, this.deps.limits, { allowSystem: true });
      return isSystemType(envelope.type) ? undefined : { envelope, position, channel };
    } catch (error) {
      this.deps.logger.warn({ channel, ...errorFields(error) }, "event-bus: dropped a malformed message");
      return undefined;
    }
  }

  private async run(entry: HandlerEntry, delivery: Delivery): Promise<void> {
    const startedAt = this.deps.clock.now();
    const outcome = await runWithRetries(
      (attempt) => entry.handler(received(delivery, attempt)),
      entry.policy,
      this.deps.clock,
    );
    if (outcome.ok) this.deps.stats.recordDelivered(delivery.envelope.metadata.timestamp, startedAt);
    else await this.fail(entry, delivery, outcome);
  }

  /** Logs and dead-letters a final failure; resolves false when the dead letter could not be stored. */
  private async fail(
    entry: HandlerEntry,
    delivery: Delivery,
    outcome: RunOutcome & { ok: false },
    group?: string,
  ): Promise<boolean> {
    this.deps.stats.recordFailed();
    const { envelope, channel } = delivery;
    const fields = {
      eventId: envelope.id,
      type: envelope.type,
      subscription: entry.id,
      attempts: outcome.attempts,
    };
    this.deps.logger.warn(
      { ...fields, ...errorFields(outcome.error) },
      "event-bus: handler failed; dead-lettered",
    );
    const error = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
    const code = (error as { code?: unknown }).code;
    try {
      await this.deps.deadLetter({
        event: plainEnvelope(envelope),
        channel,
        pattern: entry.pattern,
        subscriptionId: entry.id,
        ...(group !== undefined && { group }),
        error: typeof code === "string" ? { message: error.message, code } : { message: error.message },
        attempts: outcome.attempts,
        failedAt: new Date(this.deps.clock.now()).toISOString(),
      });
      return true;
    } catch (writeError) {
      this.deps.logger.error(
        { ...fields, ...errorFields(writeError) },
        "event-bus: could not store a dead letter",
      );
      return false;
    }
  }
}

function plainEnvelope({ id, type, data, metadata }: EventEnvelope): EventEnvelope {
  return { id, type, data, metadata };
}

function received(delivery: Delivery, attempt: number): ReceivedEvent {
  const { envelope, position, channel } = delivery;
  const base = { ...plainEnvelope(envelope), channel, attempt };
  return position === undefined ? base : { ...base, position };
}
