/**
 * The publish paths. The channel is computed and the envelope validated and serialised (once,
 * by encodeEvent) before anything is written: invalid input rejects with a coded error and
 * writes nothing. Event-type channels are live-only (PUBLISH); user, room, role and broadcast
 * channels are recoverable (one atomic script: history + offset + publish).
 */

import type { Clock } from "../../common/clock.js";
import type { ChannelNames } from "../../protocol/channels.js";
import { encodeEvent } from "../../protocol/codec.js";
import type { EventEnvelope } from "../../protocol/envelope.js";
import { EventBusError } from "../../protocol/errors.js";
import { createId } from "../../protocol/ids.js";
import type { Limits } from "../../protocol/limits.js";
import { describeValue } from "../../protocol/names.js";
import type { Broker } from "../brokers/broker.js";
import { supportsBatch } from "../brokers/redis/redis-batch.js";
import type { RecordTicket } from "../store/store-writer.js";
import type { MiddlewareChain, OutgoingEvent } from "./middleware.js";
import { checkOptionKeys, PUBLISH_KEYS, TARGETED_PUBLISH_KEYS } from "./option-keys.js";
import { PublishBatcher } from "./publish-batcher.js";
import type { StatsTracker } from "./stats.js";
import type { BatchingOptions, PublishOptions, PublishResult } from "./types.js";

export type Target =
  | { readonly kind: "event" }
  | { readonly kind: "user"; readonly userId: string }
  | { readonly kind: "room"; readonly room: string }
  | { readonly kind: "role"; readonly role: string }
  | { readonly kind: "broadcast" };

export interface PublisherDeps {
  readonly serviceName: string;
  readonly names: ChannelNames;
  readonly limits: Limits;
  readonly middleware: MiddlewareChain;
  readonly stats: StatsTracker;
  /** Batch publishes (when the broker can: the Redis brokers; memory publishes one by one). */
  readonly batching: BatchingOptions | undefined;
  readonly clock: Clock;
  readonly broker: () => Broker;
  /**
   * The event store's admission (relay/store/store-writer.ts): a ticket to record the event once
   * the broker acknowledged it, or undefined when this type is not stored; throws
   * STORE_BACKLOG_FULL (nothing is sent) when the store's queue is full.
   */
  readonly recorder?: (type: string) => RecordTicket | undefined;
}

/** How the error for an unknown publish option names the call. */
const OPTIONS_OF = {
  event: "publish options",
  user: "publishToUser options",
  room: "publishToRoom options",
  role: "publishToRole options",
  broadcast: "broadcast options",
} as const satisfies Record<Target["kind"], string>;

/** Seed 004 publishes one event object (`publish({ type, payload })`); here type and data are two arguments. */
function typeNotString(type: unknown): EventBusError {
  const shape = type !== null && typeof type === "object" && "type" in type;
  return new EventBusError(
    "INVALID_TYPE",
    `The event type must be a string, got ${shape ? "an event object" : describeValue(type)}.`,
    shape ? { hint: "Pass the type and the data as two arguments: publish(event.type, event.payload)." } : {},
  );
}

/** The clock's ISO 8601 time; formatted once per millisecond (a burst of publishes shares it). */
function isoClock(clock: Clock): () => string {
  let lastMs = Number.NaN;
  let lastIso = "";
  return () => {
    const ms = clock.now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    return lastIso;
  };
}

export class Publisher {
  private inFlight = 0;
  private drained: (() => void)[] = [];
  private batcher: PublishBatcher | undefined;
  private readonly isoNow: () => string;

  constructor(private readonly deps: PublisherDeps) {
    this.isoNow = isoClock(deps.clock);
  }

  send(target: Target, type: string, data: unknown, options: PublishOptions = {}): Promise<PublishResult> {
    let event: OutgoingEvent;
    try {
      if (typeof type !== "string") throw typeNotString(type);
      const keys = target.kind === "event" ? PUBLISH_KEYS : TARGETED_PUBLISH_KEYS;
      checkOptionKeys(OPTIONS_OF[target.kind], options, keys);
      event = {
        id: options.id ?? createId(this.deps.clock.now()),
        type,
        data,
        metadata: {
          source: options.source ?? this.deps.serviceName,
          traceId: options.traceId,
          userId: target.kind === "user" ? target.userId : options.userId,
          room: target.kind === "room" ? target.room : options.room,
          aggregateId: options.aggregateId,
        },
        channel: this.channelFor(target, type),
      };
    } catch (error) {
      return Promise.reject(error);
    }
    // A caller-given id asks for an idempotent publish (types.ts, PublishOptions.id).
    const idempotent = options.id !== undefined;
    if (!this.deps.middleware.hasPublishHooks) return this.write(event, target, idempotent);
    return this.deps.middleware
      .publish(event)
      .then((changed) =>
        changed
          ? this.write({ ...changed, channel: event.channel }, target, idempotent)
          : { id: event.id, channel: event.channel, dropped: true },
      );
  }

  /** Resolves once every publish issued so far has settled. */
  drain(): Promise<void> {
    this.batcher?.flush();
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private channelFor(target: Target, type: string): string {
    const { names } = this.deps;
    switch (target.kind) {
      case "event":
        return names.event(type);
      case "user":
        return names.user(target.userId);
      case "room":
        return names.room(target.room);
      case "role":
        return names.role(target.role);
      case "broadcast":
        return names.broadcast;
    }
  }

  private write(event: OutgoingEvent, target: Target, idempotent: boolean): Promise<PublishResult> {
    let json: string;
    const { id: envelopeId, type, data, metadata } = event;
    let envelope: EventEnvelope;
    let ticket: RecordTicket | undefined;
    try {
      ({ json, envelope } = encodeEvent(
        { id: envelopeId, type, data, timestamp: this.isoNow(), ...metadata },
        this.deps.limits,
      ));
      ticket = this.deps.recorder?.(type);
    } catch (error) {
      return Promise.reject(error);
    }
    const { channel } = event;
    const sending = this.sendEncoded(json, envelopeId, channel, target.kind !== "event", idempotent);
    if (!ticket) return sending;
    const recorded = ticket;
    return sending.then(
      (result) => {
        recorded.commit(envelope, json, channel);
        return result;
      },
      (error: unknown) => {
        recorded.cancel();
        throw error;
      },
    );
  }

  private sendEncoded(
    json: string,
    envelopeId: string,
    channel: string,
    recoverable: boolean,
    idempotent: boolean,
  ): Promise<PublishResult> {
    const broker = this.deps.broker();
    const batcher = idempotent && recoverable ? undefined : this.batcherFor(broker);
    if (batcher) {
      this.inFlight++;
      return batcher.add(
        { channel, message: json, recoverable },
        (outcome): PublishResult => {
          this.settle();
          this.deps.stats.recordPublished();
          return "offset" in outcome
            ? { id: envelopeId, channel, offset: outcome.offset, epoch: outcome.epoch }
            : { id: envelopeId, channel };
        },
        () => this.settle(),
      );
    }
    if (!recoverable)
      return this.track(broker.publishEvent(channel, json), () => ({ id: envelopeId, channel }));
    const options = idempotent ? { dedupId: envelopeId } : {};
    return this.track(broker.publishRecoverable(channel, json, options), ({ offset, epoch, duplicate }) => ({
      id: envelopeId,
      channel,
      offset,
      epoch,
      ...(duplicate && { duplicate: true }),
    }));
  }

  private batcherFor(broker: Broker): PublishBatcher | undefined {
    const { batching } = this.deps;
    if (!batching || !supportsBatch(broker)) return undefined;
    this.batcher ??= new PublishBatcher(batching, this.deps.clock, (items) => broker.publishBatch(items));
    return this.batcher;
  }

  /** Counts the publish until it settles (for drain) and maps its result; one promise step. */
  private track<T>(sending: Promise<T>, toResult: (value: T) => PublishResult): Promise<PublishResult> {
    this.inFlight++;
    return sending.then(
      (value) => {
        this.settle();
        this.deps.stats.recordPublished();
        return toResult(value);
      },
      (error: unknown) => {
        this.settle();
        throw error;
      },
    );
  }

  private settle(): void {
    if (--this.inFlight === 0 && this.drained.length > 0)
      for (const resolve of this.drained.splice(0)) resolve();
  }
}
