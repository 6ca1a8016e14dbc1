/**
 * Notices, on the relay, that a channel's history was rolled back, and makes every client see it.
 *
 * Redis replication is asynchronous: a master can acknowledge writes, die before its replica has
 * them, and the promoted replica keeps the epoch while its offset counter is behind what clients
 * already received — the next events get offsets that were already handed out (docs/architecture.md,
 * "Rollbacks"). The relay sees each channel's live messages in strictly increasing offsets on one
 * subscription, so it remembers the last one per channel (offset, epoch, event id) and checks the
 * stored history against it (Broker.renewEpoch, one atomic step) when
 *   - a live message comes with an offset at or below the last one in the same epoch, or
 *   - the broker resubscribed the channel after losing a connection (then against the position
 *     seen before the loss: messages from the new subscription may arrive before `resubscribed`).
 * When the history no longer holds that position, the epoch is renewed (history dropped), so every
 * client — on any relay, old SDKs included — gets `gap`, and replays the new epoch from its start
 * without duplicates. While a channel is checked its live messages are dropped, and messages of a
 * renewed-away epoch always are; the `resync` sent after the check makes clients fetch from history.
 */
import { RELAY_FRAMES } from "../../../protocol/frames.js";
import type { StreamPosition } from "../../../protocol/position.js";
import type { Broker } from "../../brokers/broker.js";
import { errorFields, type RelayLogger } from "../operations/logger.js";
import type { RelayMetrics } from "../operations/metrics.js";
import type { RelayServer } from "../types.js";

export interface RollbackWatchDeps {
  readonly broker: Pick<Broker, "renewEpoch">;
  /** Whether the relay still holds the channel (entries of dropped channels are pruned). */
  readonly held: (channel: string) => boolean;
  /** Sends `resync` to the channel's sockets. */
  readonly resync: (channel: string) => void;
  /** One rolled-back history renewed by this relay (metrics). */
  readonly renewed: () => void;
  readonly logger: RelayLogger;
}

interface Seen {
  offset: number;
  epoch: string;
  id: string;
}

const MIN_PRUNE = 1024;

export class RollbackWatch {
  private readonly seen = new Map<string, Seen>();
  /** `seen` as it was when the broker lost a connection; cleared once it is whole again. */
  private beforeOutage: Map<string, Seen> | undefined;
  private readonly checking = new Set<string>();
  /** Per channel, an epoch this relay saw renewed away: its late messages are dropped. */
  private readonly retired = new Map<string, string>();
  private pruneAt = MIN_PRUNE;

  constructor(private readonly deps: RollbackWatchDeps) {}

  /** A live message of a recoverable channel. False: drop it (checked channel, or a retired epoch). */
  live(channel: string, position: StreamPosition, id: string): boolean {
    if (this.checking.has(channel) || this.retired.get(channel) === position.epoch) return false;
    const last = this.seen.get(channel);
    if (!last) {
      this.remember(channel, { offset: position.offset, epoch: position.epoch, id });
      return true;
    }
    if (last.epoch === position.epoch && position.offset <= last.offset) {
      if (position.offset < last.offset || id !== last.id) this.check(channel, { ...last });
      return false;
    }
    last.offset = position.offset;
    last.epoch = position.epoch;
    last.id = id;
    return true;
  }

  /** The broker lost a connection (status `reconnecting`). */
  outage(): void {
    this.beforeOutage ??= new Map([...this.seen].map(([channel, seen]) => [channel, { ...seen }]));
  }

  /** The broker is whole again (status `ready`, after `resubscribed`). */
  restored(): void {
    this.beforeOutage = undefined;
  }

  /** Channels the broker subscribed again after a loss: checked (when seen before), then resynced. */
  resubscribed(channels: readonly string[]): void {
    for (const channel of channels) {
      const before = this.beforeOutage?.get(channel) ?? this.seen.get(channel);
      if (before) this.check(channel, { ...before });
      else this.deps.resync(channel);
    }
  }

  private check(channel: string, seen: Seen): void {
    if (this.checking.has(channel)) return;
    this.checking.add(channel);
    this.deps.broker
      .renewEpoch(channel, seen)
      .then(
        ({ renewed, position }) => {
          if (position.epoch !== seen.epoch) {
            this.retired.set(channel, seen.epoch);
            this.seen.delete(channel);
          }
          if (!renewed) return;
          this.deps.renewed();
          this.deps.logger.warn(
            { channel, seen, epoch: position.epoch },
            "channel history rolled back (a failover lost acknowledged writes); started a new epoch, clients get a gap",
          );
        },
        (error: unknown) =>
          this.deps.logger.warn({ channel, ...errorFields(error) }, "could not check a channel's history"),
      )
      .finally(() => {
        this.checking.delete(channel);
        this.deps.resync(channel);
      });
  }

  private remember(channel: string, seen: Seen): void {
    this.seen.set(channel, seen);
    if (this.seen.size < this.pruneAt) return;
    for (const name of this.seen.keys()) if (!this.deps.held(name)) this.seen.delete(name);
    for (const name of this.retired.keys()) if (!this.deps.held(name)) this.retired.delete(name);
    this.pruneAt = Math.max(MIN_PRUNE, this.seen.size * 2);
  }
}

/** The relay's watch: `resync` goes to a channel's sockets while the bridge still holds it. */
export function relayRollbackWatch(parts: {
  readonly broker: Pick<Broker, "renewEpoch">;
  readonly bridge: { has(channel: string): boolean };
  readonly io: RelayServer;
  readonly metrics: Pick<RelayMetrics, "rollbacks">;
  readonly logger: RelayLogger;
  /** Other readers of the channel to resync (SSE streams). */
  readonly resyncOthers?: (channel: string) => void;
}): RollbackWatch {
  const { bridge, io } = parts;
  return new RollbackWatch({
    broker: parts.broker,
    held: (channel) => bridge.has(channel),
    resync: (channel) => {
      if (!bridge.has(channel)) return;
      io.to(channel).emit(RELAY_FRAMES.resync, [channel]);
      parts.resyncOthers?.(channel);
    },
    renewed: () => parts.metrics.rollbacks.inc(),
    logger: parts.logger,
  });
}
