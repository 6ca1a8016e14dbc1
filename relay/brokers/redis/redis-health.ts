/**
 * Health pings on a Redis connection. A network path that silently drops packets (no reset) leaves
 * a TCP connection looking alive: a subscriber connection only receives, so nothing ever times out,
 * and TCP keepalive (ioredis: after 30 s idle, then the OS's 9 probes × 75 s) takes ≈ 12 minutes.
 * While it lasts, live delivery silently stops. So each connection is PINGed every `intervalMs`; one
 * that has not answered by the next ping is dropped, and its owner reconnects, resubscribes and
 * reports `resubscribed` (relays then send `resync` and clients recover from history). A silent
 * connection is noticed after one to two intervals (docs/operations.md, "Silent network faults").
 */
import type { Redis } from "ioredis";
import { type Clock, createRepeater } from "../../../common/clock.js";

export interface HealthPingOptions {
  readonly intervalMs: number;
  readonly clock: Clock;
  /** Sends PING; resolves when answered. */
  readonly ping: () => Promise<unknown>;
  /** The connection did not answer for a whole interval. */
  readonly silent: () => void;
}

/** Starts pinging; returns the function that stops it (call it when the connection ends). */
export function watchHealth(options: HealthPingOptions): () => void {
  let waiting = false;
  const repeater = createRepeater(options.clock, options.intervalMs, () => {
    if (waiting) {
      repeater.stop();
      options.silent();
      return;
    }
    waiting = true;
    options.ping().then(
      () => {
        waiting = false;
      },
      () => {}, // a failed ping means the connection is going down anyway; its end stops this
    );
  });
  repeater.start();
  return () => repeater.stop();
}

/** Pings `redis` from each time it is ready until it ends; `silent` when it stops answering. Off at 0. */
export function pingWhileConnected(redis: Redis, intervalMs: number, clock: Clock, silent: () => void): void {
  if (intervalMs <= 0) return;
  redis.once("ready", () => {
    const stop = watchHealth({ intervalMs, clock, ping: () => redis.ping(), silent });
    redis.once("end", stop);
  });
}
