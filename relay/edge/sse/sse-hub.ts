/**
 * The relay's SSE streams: which streams hold each channel (the dispatcher hands every broker
 * message to `deliver` beside the socket.io room), per user (connection cap, `$session.revoke`),
 * and one periodic pass — the same rules as the socket sweep (connection/sweep.ts): a stream over
 * `maxBufferedBytes` at two checks in a row is cut as a slow consumer (at once over 4× it, at write
 * time: sse-stream.ts), a stream whose token expired is closed with TOKEN_EXPIRED; and a heartbeat
 * comment every `heartbeatMs` so proxies keep idle streams open. The timers run only while streams
 * are open.
 */
import { Gauge, type Registry } from "prom-client";
import { type Clock, createRepeater } from "../../../common/clock.js";
import { EventBusError } from "../../../protocol/errors.js";
import type { StreamPosition } from "../../../protocol/position.js";
import { isRevoked } from "../../auth/revocation.js";
import { ConnectionIndex } from "../connection/limits.js";
import type { RelayLogger } from "../operations/logger.js";
import type { SseStream } from "./sse-stream.js";

export interface SseHubDeps {
  readonly clock: Clock;
  readonly maxBufferedBytes: number;
  readonly checkMs: number;
  readonly heartbeatMs: number;
  readonly tokenToleranceMs: number;
  readonly registry: Registry;
  readonly logger: RelayLogger;
}

export class SseHub {
  private readonly streams = new Set<SseStream>();
  private readonly byChannel = new Map<string, Set<SseStream>>();
  private readonly users = new ConnectionIndex<SseStream>();
  private readonly sweeper;
  private readonly beater;

  constructor(private readonly deps: SseHubDeps) {
    this.sweeper = createRepeater(deps.clock, deps.checkMs, () => this.sweep());
    this.beater = createRepeater(deps.clock, deps.heartbeatMs, () => {
      for (const stream of this.streams) stream.heartbeat();
    });
    const streams = this.streams;
    new Gauge({
      name: "eventbus_relay_sse_streams",
      help: "Open Server-Sent Events streams (GET /events)",
      registers: [deps.registry],
      collect() {
        this.set(streams.size);
      },
    });
  }

  get size(): number {
    return this.streams.size;
  }

  /** Streams of this user on this relay. */
  count(userId: string): number {
    return this.users.count(userId);
  }

  add(stream: SseStream): void {
    this.streams.add(stream);
    this.users.add(stream.userId, stream);
    for (const channel of stream.channels) {
      const set = this.byChannel.get(channel) ?? new Set<SseStream>();
      this.byChannel.set(channel, set);
      set.add(stream);
    }
    this.sweeper.start();
    this.beater.start();
  }

  remove(stream: SseStream): void {
    if (!this.streams.delete(stream)) return;
    this.users.remove(stream.userId, stream);
    for (const channel of stream.channels) {
      const set = this.byChannel.get(channel);
      if (set?.delete(stream) && set.size === 0) this.byChannel.delete(channel);
    }
    if (this.streams.size > 0) return;
    this.sweeper.stop();
    this.beater.stop();
  }

  /** Hands a broker message to the channel's streams; returns how many. */
  deliver(channel: string, raw: string, position: StreamPosition | undefined, id: string): number {
    const set = this.byChannel.get(channel);
    if (!set) return 0;
    for (const stream of [...set]) stream.live(channel, raw, position, id);
    return set.size;
  }

  /** The broker subscribed the channel again after a loss: each stream checks history from its position. */
  resync(channel: string): void {
    for (const stream of [...(this.byChannel.get(channel) ?? [])]) stream.resync(channel);
  }

  /** `$session.revoke`: closes the user's streams whose token was issued before `before`. */
  revoke(userId: string, before: number): void {
    for (const stream of this.users.of(userId)) {
      if (isRevoked(stream.token.issuedAt, before)) stream.close(new EventBusError("TOKEN_REVOKED").toWire());
    }
  }

  /** Slow consumers and expired tokens. */
  sweep(now = this.deps.clock.now()): void {
    for (const stream of [...this.streams]) {
      const expiresAt = stream.token.expiresAt;
      if (expiresAt !== null && now >= expiresAt + this.deps.tokenToleranceMs) {
        stream.close(new EventBusError("TOKEN_EXPIRED").toWire());
        continue;
      }
      const over = stream.backlog > this.deps.maxBufferedBytes;
      if (over && stream.overLimit) {
        this.deps.logger.warn(
          { connectionId: stream.connectionId, bytes: stream.backlog },
          "slow SSE consumer",
        );
        stream.cut("SLOW_CONSUMER", `${stream.backlog} bytes queued for this stream.`);
        continue;
      }
      stream.overLimit = over;
    }
  }

  /** Shutdown: every stream is told SERVER_SHUTDOWN with a retry hint (jittered), then ended. */
  drain(retryMs: number): void {
    for (const stream of [...this.streams]) {
      const jittered = retryMs / 2 + Math.random() * retryMs;
      stream.close(new EventBusError("SERVER_SHUTDOWN").toWire(), { retryMs: jittered });
    }
    this.stop();
  }

  stop(): void {
    this.sweeper.stop();
    this.beater.stop();
  }
}
