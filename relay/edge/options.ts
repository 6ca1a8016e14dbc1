/**
 * The relay's programmatic options (what `createRelay` accepts), their defaults, and the one place
 * they are validated. The CLI builds these from flags and environment variables (config.ts).
 */
import { type Clock, systemClock } from "../../common/clock.js";
import { definedOnly } from "../../common/collections.js";
import { EventBusError } from "../../protocol/errors.js";
import { MAX_HISTORY_PAGE } from "../../protocol/frames.js";
import { DEFAULT_LIMITS, type Limits } from "../../protocol/limits.js";
import type { AuthorizeHook } from "../auth/authorize.js";
import type { RelayAuthOptions } from "../auth/verify-token.js";
import type { Broker } from "../brokers/broker.js";
import type { BrokerConfig } from "../brokers/create-broker.js";
import type { RelayLogger } from "./operations/logger.js";

export type { RelayAuthOptions } from "../auth/verify-token.js";

export interface RelayLimits extends Limits {
  /** Largest socket.io frame (engine.io maxHttpBufferSize); larger frames close the connection. */
  readonly maxFrameBytes: number;
  /** Frames per second a socket may send (token bucket refill rate). */
  readonly ratePerSecond: number;
  /** Frames a socket may send in a burst (token bucket size). */
  readonly rateBurst: number;
  /** Rate-limited frames tolerated (refilling at a tenth of this per second) before disconnecting. */
  readonly floodTolerance: number;
  /** Connections one user may hold on this relay. */
  readonly maxConnectionsPerUser: number;
  /** Rooms one socket may join (its own user/broadcast/role channels do not count). */
  readonly maxRoomsPerSocket: number;
  /** Packets waiting in a socket's outgoing buffer before it is disconnected as a slow consumer. */
  readonly maxBufferedMessages: number;
  /** Bytes waiting in a WebSocket's send buffer before it is disconnected as a slow consumer. */
  readonly maxBufferedBytes: number;
  /** How often outgoing buffers are checked, in ms. */
  readonly slowConsumerCheckMs: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = Object.freeze({
  ...DEFAULT_LIMITS,
  maxFrameBytes: DEFAULT_LIMITS.maxEventBytes + 64 * 1024,
  ratePerSecond: 100,
  rateBurst: 500,
  floodTolerance: 100,
  maxConnectionsPerUser: 20,
  maxRoomsPerSocket: 100,
  maxBufferedMessages: 1000,
  maxBufferedBytes: 4 * 1024 * 1024,
  slowConsumerCheckMs: 500,
});

export interface RelayPresenceOptions {
  /** A presence entry expires this long after its last refresh (a dead relay's entries vanish). */
  readonly ttlMs: number;
  /** How often the relay refreshes its sockets' entries and reaps expired ones. */
  readonly refreshMs: number;
}

export interface RelayHeartbeat {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export interface RelayOptions {
  /** Port to listen on; 0 picks a free one. Default 8080. */
  readonly port?: number;
  /** Default "0.0.0.0". */
  readonly host?: string;
  /** A broker instance (not closed by the relay) or a configuration (the relay owns it). Default: memory. */
  readonly broker?: Broker | BrokerConfig;
  /** Channel prefix shared with the backends. Default "". */
  readonly prefix?: string;
  readonly auth: RelayAuthOptions;
  /** Extra authorization beyond the token's claims (see authorize.ts). */
  readonly authorize?: AuthorizeHook;
  /** Origins allowed to connect (CORS and WebSocket Origin). Default "*" (any). */
  readonly corsOrigins?: readonly string[] | "*";
  /** Also accept HTTP long-polling (needs sticky sessions behind a load balancer). Default false. */
  readonly longPolling?: boolean;
  /** Messages sent per recovery page (join/hello answers and `history`). Default 100. */
  readonly recoveryPageSize?: number;
  /**
   * Write each message's pre-encoded WebSocket frame straight to idle WebSocket clients, coalescing
   * bursts (fanout.ts). Default true; false uses socket.io's `io.to(channel).emit` for every socket.
   */
  readonly directFanout?: boolean;
  /** How long a channel stays subscribed in the broker after its last local socket left. Default 2000 ms. */
  readonly subscriptionLingerMs?: number;
  readonly presence?: Partial<RelayPresenceOptions>;
  readonly limits?: Partial<RelayLimits>;
  /** Time allowed for a graceful shutdown (close) before sockets are cut. Default 10 s. */
  readonly shutdownTimeoutMs?: number;
  /**
   * socket.io's heartbeat: the relay pings each socket every `intervalMs` and drops one that has not
   * answered within `timeoutMs`; the SDK, told both at the handshake, drops a relay that stops
   * pinging after the same. So a client link that silently drops packets is noticed within
   * interval + timeout (default 25 s + 20 s = 45 s). Default { intervalMs: 25000, timeoutMs: 20000 }.
   */
  readonly heartbeat?: Partial<RelayHeartbeat>;
  /** A pino logger; default: JSON to stdout at `logLevel`. */
  readonly logger?: RelayLogger;
  /** Default "info"; "silent" turns logging off. */
  readonly logLevel?: string;
  /** Also export prom-client's default process metrics. Default false. */
  readonly processMetrics?: boolean;
  /** Time for every timer and "now" of the relay (tests may pass a fake). Default: the real clock. */
  readonly clock?: Clock;
}

export interface ResolvedRelayOptions {
  readonly port: number;
  readonly host: string;
  readonly prefix: string;
  readonly auth: RelayAuthOptions;
  readonly authorize: AuthorizeHook | undefined;
  readonly corsOrigins: readonly string[] | "*";
  readonly longPolling: boolean;
  readonly recoveryPageSize: number;
  readonly directFanout: boolean;
  readonly subscriptionLingerMs: number;
  readonly presence: RelayPresenceOptions;
  readonly limits: RelayLimits;
  readonly shutdownTimeoutMs: number;
  readonly heartbeat: RelayHeartbeat;
  readonly processMetrics: boolean;
  readonly clock: Clock;
}

/** Applies defaults and validates; throws CONFIG_INVALID naming the option and the fix. */
export function resolveRelayOptions(options: RelayOptions): ResolvedRelayOptions {
  const limits: RelayLimits = { ...DEFAULT_RELAY_LIMITS, ...definedOnly(options.limits ?? {}) };
  const presence: RelayPresenceOptions = {
    ttlMs: 30_000,
    refreshMs: 10_000,
    ...definedOnly(options.presence ?? {}),
  };
  const resolved: ResolvedRelayOptions = {
    port: options.port ?? 8080,
    host: options.host ?? "0.0.0.0",
    prefix: options.prefix ?? "",
    auth: options.auth,
    authorize: options.authorize,
    corsOrigins: options.corsOrigins ?? "*",
    longPolling: options.longPolling ?? false,
    recoveryPageSize: options.recoveryPageSize ?? 100,
    directFanout: options.directFanout ?? true,
    subscriptionLingerMs: options.subscriptionLingerMs ?? 2000,
    presence,
    limits,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 10_000,
    heartbeat: { intervalMs: 25_000, timeoutMs: 20_000, ...definedOnly(options.heartbeat ?? {}) },
    processMetrics: options.processMetrics ?? false,
    clock: options.clock ?? systemClock,
  };
  validate(resolved);
  return resolved;
}

function validate(o: ResolvedRelayOptions): void {
  checkInteger("port", o.port, 0, 65535);
  checkInteger("recoveryPageSize", o.recoveryPageSize, 1, MAX_HISTORY_PAGE);
  checkInteger("subscriptionLingerMs", o.subscriptionLingerMs, 0, 3_600_000);
  checkInteger("shutdownTimeoutMs", o.shutdownTimeoutMs, 0, 3_600_000);
  checkInteger("heartbeat.intervalMs", o.heartbeat.intervalMs, 100, 3_600_000);
  checkInteger("heartbeat.timeoutMs", o.heartbeat.timeoutMs, 100, 3_600_000);
  checkInteger("presence.ttlMs", o.presence.ttlMs, 1000, 3_600_000);
  checkInteger("presence.refreshMs", o.presence.refreshMs, 100, o.presence.ttlMs - 1);
  for (const [key, value] of Object.entries(o.limits)) checkInteger(`limits.${key}`, value, 1, 2 ** 40);
  if (o.limits.maxDataBytes > o.limits.maxEventBytes) {
    throw configError("limits.maxDataBytes must not exceed limits.maxEventBytes.");
  }
  if (o.limits.maxFrameBytes < o.limits.maxEventBytes) {
    throw configError(
      "limits.maxFrameBytes must be at least limits.maxEventBytes (a frame carries an event).",
    );
  }
  const keys = [o.auth.secret, o.auth.publicKey, o.auth.jwksUrl].filter((k) => k !== undefined && k !== "");
  if (keys.length === 0) {
    throw configError("auth needs a key: set auth.secret (HS*), auth.publicKey (PEM) or auth.jwksUrl.");
  }
  if (keys.length > 1) {
    throw configError("auth has more than one key source; set only one of secret, publicKey, jwksUrl.");
  }
  if (o.corsOrigins !== "*" && o.corsOrigins.length === 0) {
    throw configError('corsOrigins is an empty list; list the allowed origins or use "*".');
  }
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw configError(`${name} is ${String(value)}; use a whole number from ${min} to ${max}.`);
  }
}

export function configError(problem: string): EventBusError {
  return new EventBusError("CONFIG_INVALID", problem);
}
