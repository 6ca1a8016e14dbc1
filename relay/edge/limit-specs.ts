/**
 * Every relay limit, once: how operators set it (flag and environment variable of `event-bus
 * relay`), what it means (the `--help` line), its unit and its allowed range. The CLI's flags, env
 * names and help, and the validation of `createRelay({ limits })`, are all derived from this table,
 * so a limit added to `RelayLimits` without a row here does not compile.
 */
import type { RelayLimits } from "./options.js";

/** count: a whole number · bytes: accepts 512kb, 1mb (×1024) · ms: accepts 500ms, 2s, 1m. */
export type LimitUnit = "count" | "bytes" | "ms";

export interface LimitSpec {
  /** `event-bus relay --<flag>`. */
  readonly flag: string;
  /** The environment variable read when the flag is absent. */
  readonly env: string;
  readonly unit: LimitUnit;
  /** One line for `--help` and docs/relay.md. */
  readonly help: string;
  /** The default, when it is not a fixed value. */
  readonly defaultText?: string;
}

export const RELAY_LIMIT_SPECS: { readonly [K in keyof RelayLimits]: LimitSpec } = {
  maxEventBytes: {
    flag: "max-event-bytes",
    env: "MAX_EVENT_BYTES",
    unit: "bytes",
    help: "largest event a client may publish (TOO_LARGE beyond it)",
  },
  maxDataBytes: {
    flag: "max-data-bytes",
    env: "MAX_DATA_BYTES",
    unit: "bytes",
    help: "largest `data` of an event (at most max-event-bytes)",
  },
  maxDepth: { flag: "max-depth", env: "MAX_DEPTH", unit: "count", help: "deepest nesting inside `data`" },
  maxFrameBytes: {
    flag: "max-frame-bytes",
    env: "MAX_FRAME_BYTES",
    unit: "bytes",
    help: "largest socket.io frame; a bigger one closes the connection",
    defaultText: "max-event-bytes + 64kb",
  },
  ratePerSecond: {
    flag: "rate-limit",
    env: "RATE_LIMIT",
    unit: "count",
    help: "frames per second per socket",
  },
  rateBurst: { flag: "rate-burst", env: "RATE_BURST", unit: "count", help: "burst of frames per socket" },
  floodTolerance: {
    flag: "flood-tolerance",
    env: "FLOOD_TOLERANCE",
    unit: "count",
    help: "rate-limited frames tolerated before the socket is disconnected",
  },
  maxConnectionsPerUser: {
    flag: "max-connections-per-user",
    env: "MAX_CONNECTIONS_PER_USER",
    unit: "count",
    help: "connections one user may hold on this relay",
  },
  maxRoomsPerSocket: {
    flag: "max-rooms-per-socket",
    env: "MAX_ROOMS_PER_SOCKET",
    unit: "count",
    help: "rooms one socket may join",
  },
  maxBufferedMessages: {
    flag: "max-buffered-messages",
    env: "MAX_BUFFERED_MESSAGES",
    unit: "count",
    help: "packets queued for a socket before it is cut as a slow consumer",
  },
  maxBufferedBytes: {
    flag: "max-buffered-bytes",
    env: "MAX_BUFFERED_BYTES",
    unit: "bytes",
    help: "bytes queued for a socket before it is cut as a slow consumer",
  },
  slowConsumerCheckMs: {
    flag: "slow-consumer-check",
    env: "SLOW_CONSUMER_CHECK",
    unit: "ms",
    help: "how often outgoing buffers and token expiries are checked",
  },
  maxPageBytes: {
    flag: "max-page-bytes",
    env: "MAX_PAGE_BYTES",
    unit: "bytes",
    help: "history bytes in one recovery or history page (at least one message is sent)",
  },
  historyCostBytes: {
    flag: "history-cost-bytes",
    env: "HISTORY_COST_BYTES",
    unit: "bytes",
    help: "a history page costs one more frame of the rate limit per this many bytes",
  },
  publishBytesPerSecond: {
    flag: "publish-bytes-per-second",
    env: "PUBLISH_BYTES_PER_SECOND",
    unit: "bytes",
    help: "bytes per second one user may publish through this relay, all sockets together",
  },
  publishBurstBytes: {
    flag: "publish-burst-bytes",
    env: "PUBLISH_BURST_BYTES",
    unit: "bytes",
    help: "bytes one user may publish in a burst (at least max-event-bytes)",
    defaultText: "4mb, or max-event-bytes if larger",
  },
  handshakesPerSecond: {
    flag: "handshakes-per-second",
    env: "HANDSHAKES_PER_SECOND",
    unit: "count",
    help: "handshakes per second from one address",
  },
  handshakeBurst: {
    flag: "handshake-burst",
    env: "HANDSHAKE_BURST",
    unit: "count",
    help: "handshakes from one address in a burst",
  },
  authTimeoutMs: {
    flag: "auth-timeout",
    env: "AUTH_TIMEOUT",
    unit: "ms",
    help: "a connection must authenticate within this, or it is closed",
  },
  drainTimeoutMs: {
    flag: "drain-timeout",
    env: "DRAIN_TIMEOUT",
    unit: "ms",
    help: "how long a recovery reply may wait for the socket to drain before it is cut",
  },
};

export const LIMIT_KEYS = Object.keys(RELAY_LIMIT_SPECS) as readonly (keyof RelayLimits)[];

const RANGES: Readonly<Record<LimitUnit, readonly [number, number]>> = {
  count: [1, 1_000_000_000],
  bytes: [1, 2 ** 40],
  ms: [1, 3_600_000],
};

/** The allowed range of a limit. */
export function limitRange(key: keyof RelayLimits): readonly [number, number] {
  return RANGES[RELAY_LIMIT_SPECS[key].unit];
}

/** How a limit is named in errors: `limits.maxEventBytes (MAX_EVENT_BYTES / --max-event-bytes)`. */
export function limitName(key: keyof RelayLimits): string {
  const spec = RELAY_LIMIT_SPECS[key];
  return `limits.${key} (${spec.env} / --${spec.flag})`;
}

/** The default of a limit, for `--help` and docs. */
export function limitDefault(key: keyof RelayLimits, defaults: RelayLimits): string {
  return RELAY_LIMIT_SPECS[key].defaultText ?? formatLimit(key, defaults[key]);
}

/** A value for humans: 1048576 bytes → "1mb", 500 ms → "500ms". */
export function formatLimit(key: keyof RelayLimits, value: number): string {
  const { unit } = RELAY_LIMIT_SPECS[key];
  if (unit === "ms") return value % 1000 === 0 ? `${value / 1000}s` : `${value}ms`;
  if (unit === "bytes" && value % (1024 * 1024) === 0) return `${value / (1024 * 1024)}mb`;
  if (unit === "bytes" && value % 1024 === 0) return `${value / 1024}kb`;
  return String(value);
}

const BYTE_UNITS: Readonly<Record<string, number>> = { "": 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const MS_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a limit as an operator writes it (`1048576`, `1mb`, `500ms`); undefined when it is not one. */
export function parseLimit(key: keyof RelayLimits, text: string): number | undefined {
  const { unit } = RELAY_LIMIT_SPECS[key];
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const suffix = (match[2] ?? "").toLowerCase();
  const factor =
    unit === "bytes" ? BYTE_UNITS[suffix] : unit === "ms" ? MS_UNITS[suffix] : suffix ? undefined : 1;
  return factor === undefined ? undefined : amount * factor;
}

/** What a valid value looks like, for error messages. */
export function limitExample(key: keyof RelayLimits): string {
  const { unit } = RELAY_LIMIT_SPECS[key];
  if (unit === "bytes") return "a number of bytes, or with kb / mb / gb (e.g. 2mb)";
  if (unit === "ms") return "a duration with its unit: ms, s, m or h (e.g. 500ms)";
  return "a whole number";
}
