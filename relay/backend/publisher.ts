/**
 * The publish paths. The channel is computed and the envelope validated and serialised (once,
 * by encodeEvent) before anything is written: invalid input rejects with a coded error and
 * writes nothing. Event-type channels are live-only (PUBLISH); user, room and broadcast channels
 * are recoverable (one atomic script: history + offset + publish).
 */
import type { ChannelNames } from "../../protocol/channels.js";
import { encodeEvent } from "../../protocol/codec.js";
import { createId } from "../../protocol/ids.js";
import type { Limits } from "../../protocol/limits.js";
import type { Broker } from "../brokers/broker.js";
import type { MiddlewareChain, OutgoingEvent } from "./middleware.js";
import type { PublishBatcher } from "./publish-batcher.js";
import type { StatsTracker } from "./stats.js";
import type { PublishOptions, PublishResult } from "./types.js";

export type Target =
  | { readonly kind: "event" }
  | { readonly kind: "user"; readonly userId: string }
  | { readonly kind: "room"; readonly room: string }
  | { readonly kind: "broadcast" };

export interface PublisherDeps {
  readonly serviceName: string;
  readonly names: ChannelNames;
  readonly limits: Limits;
  readonly middleware: MiddlewareChain;
  readonly stats: StatsTracker;
  readonly batcher: PublishBatcher | undefined;
  readonly broker: () => Broker;
}

export class Publisher {
  private inFlight = 0;
  private drained: (() => void)[] = [];

  constructor(private readonly deps: PublisherDeps) {}

  send(target: Target, type: string, data: unknown, options: PublishOptions = {}): Promise<PublishResult> {
    let event: OutgoingEvent;
    try {
      event = {
        id: options.id ?? createId(),
        type,
        data,
        metadata: {
          source: options.source ?? this.deps.serviceName,
          traceId: options.traceId,
          userId: options.userId,
          room: options.room,
        },
        channel: this.channelFor(target, type),
      };
    } catch (error) {
      return Promise.reject(error);
    }
    if (!this.deps.middleware.hasPublishHooks) return this.write(event, target);
    return this.deps.middleware
      .publish(event)
      .then((changed) =>
        changed
          ? this.write({ ...changed, channel: event.channel }, target)
          : { id: event.id, channel: event.channel, dropped: true },
      );
  }

  /** Resolves once every publish issued so far has settled. */
  drain(): Promise<void> {
    this.deps.batcher?.flush();
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
      case "broadcast":
        return names.broadcast;
    }
  }

  private write(event: OutgoingEvent, target: Target): Promise<PublishResult> {
    let json: string;
    const { id: envelopeId, type, data, metadata } = event;
    try {
      json = encodeEvent({ id: envelopeId, type, data, ...metadata }, this.deps.limits).json;
    } catch (error) {
      return Promise.reject(error);
    }
    const broker = this.deps.broker();
    const { channel } = event;
    const send: () => Promise<PublishResult> =
      target.kind === "event"
        ? () => broker.publish(channel, json).then(() => ({ id: envelopeId, channel }))
        : () =>
            broker
              .publishRecoverable(channel, json)
              .then(({ offset, epoch }) => ({ id: envelopeId, channel, offset, epoch }));
    return this.track(this.deps.batcher ? this.deps.batcher.add(send) : send());
  }

  private track(sending: Promise<PublishResult>): Promise<PublishResult> {
    this.inFlight++;
    const settle = () => {
      if (--this.inFlight === 0) for (const resolve of this.drained.splice(0)) resolve();
    };
    return sending.then(
      (result) => {
        settle();
        this.deps.stats.recordPublished();
        return result;
      },
      (error: unknown) => {
        settle();
        throw error;
      },
    );
  }
}
