/**
 * The relay's programmatic options (what `createRelay` accepts), their defaults, and the one place
 * they are validated. The CLI builds these from flags and environment variables (config.ts).
 */
import { type Clock, systemClock } from "../../common/clock.js";
import { definedOnly } from "../../common/collections.js";
import { assertPrefix } from "../../protocol/channels.js";
import { EventBusError } from "../../protocol/errors.js";
import { MAX_HISTORY_PAGE } from "../../protocol/frames.js";
import { defineLatestOnly, type LatestOnlyRules } from "../../protocol/latest-only.js";
import { DEFAULT_LIMITS, type Limits } from "../../protocol/limits.js";
import type { AuthorizeHook } from "../auth/authorize.js";
import { checkSecretStrength, type RelayAuthOptions } from "../auth/verify-token.js";
import type { Broker } from "../brokers/broker.js";
import type { BrokerConfig } from "../brokers/create-broker.js";
import { LIMIT_KEYS, limitName, limitRange } from "./limit-specs.js";
import type { RelayLogger } from "./operations/logger.js";
import { checkRelayOptionKeys } from "./option-keys.js";

export type { RelayAuthOptions } from "../auth/verify-token.js";

/** Every key has a row in limit-specs.ts (its flag, environment variable, unit and range). */
export interface RelayLimits extends Limits {
  /**
   * Largest socket.io frame (engine.io maxHttpBufferSize); larger frames close the connection.
   * Default: maxEventBytes + 64 KB.
   */
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
  /** Bytes of history in one recovery or `history` page (at least one message is always sent). */
  readonly maxPageBytes: number;
  /** A `history` page costs one extra frame of the rate limit per this many bytes it returns. */
  readonly historyCostBytes: number;
  /** Bytes per second one user may publish through this relay, all its sockets together. */
  readonly publishBytesPerSecond: number;
  /** Bytes one user may publish in a burst (at least limits.maxEventBytes). */
  readonly publishBurstBytes: number;
  /** Handshakes (socket.io CONNECT) per second from one address. */
  readonly handshakesPerSecond: number;
  /** Handshakes from one address in a burst. */
  readonly handshakeBurst: number;
  /** A connection must authenticate within this many ms, or it is closed. */
  readonly authTimeoutMs: number;
  /** How long a recovery reply may wait for the socket to drain before it is cut as a slow consumer. */
  readonly drainTimeoutMs: number;
}

/** Room in a frame for the socket.io packet around an event. */
const FRAME_OVERHEAD = 64 * 1024;

export const DEFAULT_RELAY_LIMITS: RelayLimits = Object.freeze({
  ...DEFAULT_LIMITS,
  maxFrameBytes: DEFAULT_LIMITS.maxEventBytes + FRAME_OVERHEAD,
  ratePerSecond: 100,
  rateBurst: 500,
  floodTolerance: 100,
  maxConnectionsPerUser: 20,
  maxRoomsPerSocket: 100,
  maxBufferedMessages: 1000,
  maxBufferedBytes: 4 * 1024 * 1024,
  slowConsumerCheckMs: 500,
  maxPageBytes: 1024 * 1024,
  historyCostBytes: 64 * 1024,
  publishBytesPerSecond: 1024 * 1024,
  publishBurstBytes: 4 * 1024 * 1024,
  handshakesPerSecond: 200,
  handshakeBurst: 1000,
  authTimeoutMs: 10_000,
  drainTimeoutMs: 10_000,
});

export interface RelayMetricsOptions {
  /** Serve /metrics (and only /metrics, /healthz, /readyz) on this port instead of the public listener. */
  readonly port?: number;
  /** Address of the metrics listener. Default "127.0.0.1". */
  readonly host?: string;
  /** Require `Authorization: Bearer <token>` for /metrics. */
  readonly token?: string;
}

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
  /**
   * Proxies in front of the relay whose `X-Forwarded-For` is trusted: the client address (for the
   * per-address handshake limit and logs) is the one the outermost of these `trustProxy` hops saw.
   * Default 0: the socket's own remote address; X-Forwarded-For is ignored.
   */
  readonly trustProxy?: number;
  /** Messages sent per recovery page (join/hello answers and `history`). Default 100. */
  readonly recoveryPageSize?: number;
  /**
   * Write each message's pre-encoded WebSocket frame straight to idle WebSocket clients, coalescing
   * bursts (fanout.ts). Default true; false uses socket.io's `io.to(channel).emit` for every socket.
   */
  readonly directFanout?: boolean;
  /** How long a channel stays subscribed in the broker after its last local socket left. Default 2000 ms. */
  readonly subscriptionLingerMs?: number;
  /**
   * Latest-only event types of the event contract (`defineLatestOnly`, protocol/latest-only.ts):
   * a socket that is behind gets only the newest event per key. Default {} (none).
   */
  readonly latestOnly?: LatestOnlyRules;
  /** Queued bytes over which a socket counts as behind for latest-only delivery. Default 65 536. */
  readonly latestOnlyBehindBytes?: number;
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
  /**
   * Where /metrics is served. Default: on the public listener, open to anyone who reaches it — it
   * shows Node's version, heap sizes and connection counts. Recommended: `{ port: 9464 }` (a
   * separate listener on 127.0.0.1, not on the public one) and/or a bearer `token`.
   */
  readonly metrics?: RelayMetricsOptions;
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
  readonly trustProxy: number;
  readonly recoveryPageSize: number;
  readonly directFanout: boolean;
  readonly subscriptionLingerMs: number;
  readonly latestOnly: LatestOnlyRules;
  readonly latestOnlyBehindBytes: number;
  readonly presence: RelayPresenceOptions;
  readonly limits: RelayLimits;
  readonly shutdownTimeoutMs: number;
  readonly heartbeat: RelayHeartbeat;
  readonly processMetrics: boolean;
  readonly metrics: RelayMetricsOptions;
  readonly clock: Clock;
}

/** The latest-only rules, checked (CONFIG_INVALID names the bad entry). */
function latestOnlyRules(rules: LatestOnlyRules | undefined): LatestOnlyRules {
  try {
    return defineLatestOnly(rules ?? {});
  } catch (error) {
    throw new EventBusError("CONFIG_INVALID", error instanceof Error ? error.message : String(error));
  }
}

/** Applies defaults and validates; throws CONFIG_INVALID naming the option and the fix. */
export function resolveRelayOptions(options: RelayOptions): ResolvedRelayOptions {
  checkRelayOptionKeys(options);
  const limits = resolveLimits(options.limits ?? {});
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
    trustProxy: options.trustProxy ?? 0,
    recoveryPageSize: options.recoveryPageSize ?? 100,
    directFanout: options.directFanout ?? true,
    subscriptionLingerMs: options.subscriptionLingerMs ?? 2000,
    latestOnly: latestOnlyRules(options.latestOnly),
    latestOnlyBehindBytes: options.latestOnlyBehindBytes ?? 64 * 1024,
    presence,
    limits,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 10_000,
    heartbeat: { intervalMs: 25_000, timeoutMs: 20_000, ...definedOnly(options.heartbeat ?? {}) },
    processMetrics: options.processMetrics ?? false,
    metrics: options.metrics ?? {},
    clock: options.clock ?? systemClock,
  };
  validate(resolved);
  return resolved;
}

function validate(o: ResolvedRelayOptions): void {
  checkInteger("port", o.port, 0, 65535);
  assertPrefix(o.prefix);
  checkInteger("trustProxy", o.trustProxy, 0, 16);
  checkInteger("recoveryPageSize", o.recoveryPageSize, 1, MAX_HISTORY_PAGE);
  checkInteger("subscriptionLingerMs", o.subscriptionLingerMs, 0, 3_600_000);
  checkInteger("latestOnlyBehindBytes", o.latestOnlyBehindBytes, 0, 1024 * 1024 * 1024);
  checkInteger("shutdownTimeoutMs", o.shutdownTimeoutMs, 0, 3_600_000);
  checkInteger("heartbeat.intervalMs", o.heartbeat.intervalMs, 100, 3_600_000);
  checkInteger("heartbeat.timeoutMs", o.heartbeat.timeoutMs, 100, 3_600_000);
  checkInteger("presence.ttlMs", o.presence.ttlMs, 1000, 3_600_000);
  checkInteger("presence.refreshMs", o.presence.refreshMs, 100, o.presence.ttlMs - 1);
  validateLimits(o.limits);
  const keys = [o.auth.secret, o.auth.publicKey, o.auth.jwksUrl].filter((k) => k !== undefined && k !== "");
  if (keys.length === 0) {
    throw configError("auth needs a key: set auth.secret (HS*), auth.publicKey (PEM) or auth.jwksUrl.");
  }
  if (keys.length > 1) {
    throw configError("auth has more than one key source; set only one of secret, publicKey, jwksUrl.");
  }
  checkSecretStrength(o.auth);
  if (o.metrics.port !== undefined) checkInteger("metrics.port", o.metrics.port, 0, 65535);
  if (o.metrics.token !== undefined && o.metrics.token.length < 16) {
    throw configError("metrics.token (METRICS_TOKEN) is shorter than 16 characters; use a random token.");
  }
  if (o.corsOrigins !== "*" && o.corsOrigins.length === 0) {
    throw configError('corsOrigins is an empty list; list the allowed origins or use "*".');
  }
}

/** Defaults under the given limits; the frame and the publish burst grow with the event unless given. */
function resolveLimits(given: Partial<RelayLimits>): RelayLimits {
  const defined = definedOnly(given);
  const maxEventBytes = defined.maxEventBytes ?? DEFAULT_RELAY_LIMITS.maxEventBytes;
  const maxFrameBytes = defined.maxFrameBytes ?? maxEventBytes + FRAME_OVERHEAD;
  const publishBurstBytes =
    defined.publishBurstBytes ?? Math.max(DEFAULT_RELAY_LIMITS.publishBurstBytes, maxEventBytes);
  return { ...DEFAULT_RELAY_LIMITS, ...defined, maxFrameBytes, publishBurstBytes };
}

function validateLimits(limits: RelayLimits): void {
  for (const key of LIMIT_KEYS) {
    const [min, max] = limitRange(key);
    const value = limits[key];
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw configError(`${limitName(key)} is ${String(value)}; use a whole number from ${min} to ${max}.`);
    }
  }
  if (limits.maxDataBytes > limits.maxEventBytes) {
    throw configError(
      `${limitName("maxDataBytes")} is ${limits.maxDataBytes}, more than ${limitName("maxEventBytes")} (${limits.maxEventBytes}); raise the event limit too.`,
    );
  }
  if (limits.publishBurstBytes < limits.maxEventBytes) {
    throw configError(
      `${limitName("publishBurstBytes")} is ${limits.publishBurstBytes}, less than ${limitName("maxEventBytes")} (${limits.maxEventBytes}); a burst holds at least one event, so leave it unset or raise it.`,
    );
  }
  if (limits.maxFrameBytes < limits.maxEventBytes) {
    throw configError(
      `${limitName("maxFrameBytes")} is ${limits.maxFrameBytes}, less than ${limitName("maxEventBytes")} (${limits.maxEventBytes}); a frame carries an event, so leave it unset or raise it.`,
    );
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
