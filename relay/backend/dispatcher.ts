/**
 * From a raw message to handler runs: decode and validate once per subscription route, drop
 * what is not for application handlers (system `$…` types; non-event channels seen by a pattern),
 * run the receive middleware, then start every handler of the route in arrival order — each on
 * its own, with timeout, retries and, after the last attempt, a dead letter.
 */

import type { Clock } from "../../common/clock.js";
import { decodeMessage } from "../../protocol/codec.js";
import type { EventEnvelope } from "../../protocol/envelope.js";
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

  private async fail(entry: HandlerEntry, delivery: Delivery, outcome: RunOutcome & { ok: false }) {
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
        error: typeof code === "string" ? { message: error.message, code } : { message: error.message },
        attempts: outcome.attempts,
        failedAt: new Date(this.deps.clock.now()).toISOString(),
      });
    } catch (writeError) {
      this.deps.logger.error(
        { ...fields, ...errorFields(writeError) },
        "event-bus: could not store a dead letter",
      );
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
