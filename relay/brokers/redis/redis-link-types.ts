/**
 * The shapes of a subscriber link (redis-subscriber.ts): its states, options and events.
 */
import type { BackoffOptions } from "../../../common/backoff.js";
import type { Clock } from "../../../common/clock.js";
import type { RedisTarget } from "./redis-connection.js";

/**
 * idle: not started · connecting: before the first ready (or retrying one that never was) ·
 * ready: connected, every subscription confirmed · down: lost after being ready, reconnecting ·
 * closed.
 */
export type LinkState = "idle" | "connecting" | "ready" | "down" | "closed";

export interface SubscriberLinkOptions {
  /** Where and how to connect; called before every attempt. */
  readonly connection: () => RedisTarget;
  readonly backoff: BackoffOptions;
  /** How long a subscribe waits for a lost connection to come back before it is rejected. */
  readonly timeoutMs: number;
  /** Timeout of one connection attempt. */
  readonly connectTimeoutMs: number;
  /** PING the connection this often; one silent for a whole interval is dropped (redis-health.ts). 0: off. */
  readonly healthCheckMs: number;
  readonly clock: Clock;
}

export interface SubscriberLinkEvents {
  message: (channel: string, message: string, pattern: string | undefined) => void;
  state: (state: LinkState) => void;
  /** After a reconnect, once every subscription is confirmed again: the channels (not patterns). */
  restored: (channels: readonly string[]) => void;
  /** Redis said a sharded channel's slot lives elsewhere now (MOVED, or an unsolicited SUNSUBSCRIBE). */
  moved: () => void;
  error: (error: Error) => void;
}
