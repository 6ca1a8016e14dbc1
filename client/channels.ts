/**
 * Every channel the socket receives, with its recovery tracker: decodes messages, routes them
 * through the tracker, asks the relay for `history` when the tracker says so (retrying with
 * backoff while the session lasts) and reports deliveries, gaps and settled syncs.
 */

import { type Clock, createTimer, type Timer } from "../common/clock.js";
import { type DecodedMessage, decodeMessage, decodeParsedMessage } from "../protocol/codec.js";
import { type EventBusError, toEventBusError } from "../protocol/errors.js";
import {
  type ChannelSync,
  type HelloResult,
  isSystemType,
  MAX_HISTORY_PAGE,
  type RecoveryResult,
} from "../protocol/frames.js";
import { DEFAULT_LIMITS, type Limits } from "../protocol/limits.js";
import { isStreamPosition, type StreamPosition } from "../protocol/position.js";
import { ChannelTracker, type Incoming, type Step } from "./channel-tracker.js";
import type { DeliveredEvent } from "./router.js";
import type { RequestFn } from "./transport.js";

export interface ChannelEvents {
  deliver(event: DeliveredEvent): void;
  gap(channel: string, position: StreamPosition): void;
  settled(channel: string, recovered: boolean | null, replayed: number): void;
  error(error: EventBusError): void;
}

export interface ChannelsOptions {
  readonly events: ChannelEvents;
  /** Whether messages of a channel that has no tracker yet are wanted (rooms left: no). */
  readonly wanted: (channel: string) => boolean;
  readonly clock: Clock;
  /** Delay before history retry number `attempt`. */
  readonly retryDelay: (attempt: number) => number;
  readonly maxBuffer?: number;
}

const MAX_HISTORY_ATTEMPTS = 6;

export class Channels {
  private readonly trackers = new Map<string, ChannelTracker>();
  private readonly waiters = new Map<string, ((settled: boolean) => void)[]>();
  private readonly timers = new Set<Timer>();
  private request: RequestFn | null = null;
  private helloPending = false;
  limits: Limits = DEFAULT_LIMITS;

  constructor(private readonly options: ChannelsOptions) {}

  /** A socket connected: hold every channel back until its hello/join answer. */
  startSession(request: RequestFn): void {
    this.request = request;
    this.helloPending = true;
    for (const tracker of this.trackers.values()) tracker.begin();
  }

  endSession(): void {
    this.request = null;
    this.helloPending = false;
    for (const timer of this.timers) timer.clear();
    this.timers.clear();
    for (const tracker of this.trackers.values()) tracker.sessionEnded();
    for (const channel of [...this.waiters.keys()]) this.notify(channel, false);
  }

  /** Hello answered: sync the listed channels; forget own channels that are no longer listed. */
  helloDone(syncs: readonly ChannelSync[], isRoom: (channel: string) => boolean): void {
    this.helloPending = false;
    const listed = new Set(syncs.map((sync) => sync.channel));
    for (const channel of [...this.trackers.keys()]) {
      if (!listed.has(channel) && !isRoom(channel)) this.drop(channel);
    }
    for (const sync of syncs) this.synced(sync);
  }

  /** A join for this channel is about to be sent. */
  begin(channel: string): void {
    this.tracker(channel).begin();
  }

  synced(sync: ChannelSync): void {
    const tracker = this.tracker(sync.channel);
    this.apply(sync.channel, tracker, tracker.synced(this.input(sync.position, sync.recovery), false));
  }

  /** A live message: the envelope object of a relay's `m` frame (protocol 3), not yet validated. */
  message(channel: string, message: unknown, after?: number): void {
    let tracker = this.trackers.get(channel);
    if (!tracker) {
      if (!this.request || !this.options.wanted(channel)) return;
      tracker = this.tracker(channel);
      if (this.helloPending) tracker.begin();
    }
    const incoming = this.decode(message, true);
    if (incoming === "system") return;
    this.apply(channel, tracker, tracker.live(after === undefined ? incoming : { ...incoming, after }));
  }

  resync(channels: readonly string[]): void {
    for (const channel of channels) {
      const tracker = this.trackers.get(channel);
      if (tracker) this.apply(channel, tracker, tracker.resync());
    }
  }

  /** The relay cut the last session as a slow consumer: stuck recoveries count a stall. */
  cutAsSlow(): void {
    for (const tracker of this.trackers.values()) tracker.cutAsSlow();
  }

  /** Where a join should recover from (undefined: nothing to recover, or giving up after stalls). */
  position(channel: string): StreamPosition | undefined {
    return this.trackers.get(channel)?.since;
  }

  /** Positions of the channels that pass `filter`, for `hello`'s `since`. */
  positions(filter: (channel: string) => boolean): Record<string, StreamPosition> {
    const out: Record<string, StreamPosition> = {};
    for (const [channel, tracker] of this.trackers) {
      const since = tracker.since;
      if (since && filter(channel)) out[channel] = since;
    }
    return out;
  }

  drop(channel: string): void {
    this.trackers.delete(channel);
    this.notify(channel, false);
  }

  /** Resolves true once the channel's pending sync finished, false if the session ended first. */
  settled(channel: string): Promise<boolean> {
    const tracker = this.trackers.get(channel);
    if (!tracker || !this.request) return Promise.resolve(false);
    if (!tracker.pending) return Promise.resolve(true);
    return new Promise((resolve) => {
      const list = this.waiters.get(channel) ?? [];
      list.push(resolve);
      this.waiters.set(channel, list);
    });
  }

  private tracker(channel: string): ChannelTracker {
    let tracker = this.trackers.get(channel);
    if (!tracker) {
      tracker = new ChannelTracker(this.options.maxBuffer);
      this.trackers.set(channel, tracker);
    }
    return tracker;
  }

  private notify(channel: string, settled: boolean): void {
    const list = this.waiters.get(channel);
    this.waiters.delete(channel);
    for (const resolve of list ?? []) resolve(settled);
  }

  private apply(channel: string, tracker: ChannelTracker, step: Step): void {
    const { events } = this.options;
    step.deliver.forEach((message, index) => {
      if (step.gap?.at === index) events.gap(channel, step.gap.position);
      if (message.envelope) events.deliver(delivered(message, channel));
    });
    if (step.gap && step.gap.at >= step.deliver.length) events.gap(channel, step.gap.position);
    if (step.history) this.fetch(channel, tracker, step.history, 0);
    if (step.settled) events.settled(channel, step.settled.recovered, step.settled.replayed);
    if (step.idle) this.notify(channel, true);
  }

  private fetch(channel: string, tracker: ChannelTracker, since: StreamPosition, attempt: number): void {
    const request = this.request;
    if (!request) return;
    const current = (): boolean => this.request === request && this.trackers.get(channel) === tracker;
    request("history", { channel, since, limit: MAX_HISTORY_PAGE }).then(
      (result) => {
        if (current())
          this.apply(channel, tracker, tracker.synced(this.input(result.position, result), true));
      },
      (error: unknown) => {
        if (!current()) return;
        const failure = toEventBusError(error);
        if (!failure.retryable || attempt + 1 >= MAX_HISTORY_ATTEMPTS)
          return this.options.events.error(failure);
        const timer = createTimer(this.options.clock);
        this.timers.add(timer);
        timer.set(this.options.retryDelay(attempt), () => {
          this.timers.delete(timer);
          if (current()) this.fetch(channel, tracker, since, attempt + 1);
        });
      },
    );
  }

  private input(position: StreamPosition, recovery: RecoveryResult | undefined) {
    return {
      position,
      recovered: recovery?.recovered,
      messages: (recovery?.messages ?? []).map((raw) => this.decode(raw, false)).filter(isIncoming),
      more: recovery?.more ?? false,
    };
  }

  /**
   * Decodes a message: a live frame's parsed envelope (`live`), or a JSON text from a recovery page.
   * One that fails validation keeps its place (if it has one) and is reported; it reaches no handler.
   */
  private decode(message: unknown, live: boolean): Incoming | "system" {
    try {
      const { envelope, position }: DecodedMessage = live
        ? decodeParsedMessage(message, this.limits, { allowSystem: true })
        : decodeMessage(message as string, this.limits, { allowSystem: true });
      return isSystemType(envelope.type) ? "system" : { envelope, position };
    } catch (error) {
      this.options.events.error(toEventBusError(error, "INVALID_EVENT"));
      return { envelope: null, position: lenientPosition(message) };
    }
  }
}

function isIncoming(value: Incoming | "system"): value is Incoming {
  return value !== "system";
}

function delivered(message: Incoming, channel: string): DeliveredEvent {
  const offset = message.position?.offset;
  return {
    ...(message.envelope as NonNullable<Incoming["envelope"]>),
    channel,
    ...(offset !== undefined && { offset }),
  };
}

function lenientPosition(message: unknown): StreamPosition | undefined {
  try {
    const value: unknown = typeof message === "string" ? JSON.parse(message) : message;
    if (typeof value !== "object" || value === null) return undefined;
    const { offset, epoch } = value as { offset?: unknown; epoch?: unknown };
    const position = { offset, epoch };
    return isStreamPosition(position) ? position : undefined;
  } catch {
    return undefined;
  }
}

/** The relay's channel prefix, read off the user channel its hello listed (`<prefix>user:<id>`). */
export function prefixOf(hello: HelloResult): string {
  const suffix = `user:${hello.userId}`;
  const own = hello.channels.find((c) => c.channel.endsWith(suffix));
  return own ? own.channel.slice(0, -suffix.length) : "";
}
