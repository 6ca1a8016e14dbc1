/**
 * Every error a user of the event bus can hit: one class, stable codes, and for each code a
 * default message that says what was wrong and a hint that says what to do about it.
 * Codes travel over the wire (`{ error: { code, message } }`) and in socket.io `connect_error`.
 */

interface ErrorSpec {
  /** What went wrong, in one sentence. */
  readonly message: string;
  /** What the caller should do about it. */
  readonly hint: string;
  /** Whether sending the same thing again later can succeed. */
  readonly retryable: boolean;
}

const spec = (message: string, hint: string, retryable = false): ErrorSpec => ({
  message,
  hint,
  retryable,
});

export const ERROR_SPECS = {
  INVALID_EVENT: spec(
    "The event is malformed.",
    "Send { type, data } where type is a dotted name like 'photo.uploaded' and data is JSON-serialisable.",
  ),
  INVALID_TYPE: spec(
    "The event type is not a valid name.",
    "Use dot-separated segments of letters, digits, '_' or '-', e.g. 'photo.processing.completed' (max 128 characters).",
  ),
  INVALID_ROOM: spec(
    "The room name is not valid.",
    "Use 1-128 characters from letters, digits and _ - . : @ = + | / (no spaces, braces or glob characters * ? [ ] \\).",
  ),
  INVALID_USER: spec(
    "The user id is not valid.",
    "Use 1-128 characters from letters, digits and _ - . : @ = + | / (no spaces, braces or glob characters).",
  ),
  INVALID_ROLE: spec(
    "The role name is not valid.",
    "Use 1-64 characters from letters, digits and _ - . (e.g. 'admin').",
  ),
  INVALID_CHANNEL: spec(
    "The channel name is not one this bus knows.",
    "Use an event type, 'user:<id>', 'room:<name>', 'role:<name>' or 'broadcast' (with the configured prefix).",
  ),
  INVALID_PATTERN: spec(
    "The subscription pattern is not valid.",
    "Use a non-empty Redis glob of at most 256 characters, e.g. 'photo.*' or 'photo.processing.*'.",
  ),
  INVALID_FRAME: spec(
    "The frame sent to the relay has the wrong shape.",
    "Use the client SDK, or send frames exactly as documented in docs/protocol.md.",
  ),
  INVALID_OPTIONS: spec(
    "An option passed to the event bus is not valid.",
    "Check the option named in this message against the README.",
  ),
  CONFIG_INVALID: spec(
    "The configuration is not valid.",
    "Fix the setting named in this message (flag or environment variable) and start again.",
  ),
  TOO_LARGE: spec(
    "The event is larger than the configured limit.",
    "Send a reference (an id or URL) instead of the payload, or raise the limit on both ends: `limits` of the client and backend, MAX_EVENT_BYTES / MAX_DATA_BYTES of the relay (see `event-bus relay --help`).",
  ),
  UNAUTHORIZED: spec(
    "The connection is not authenticated.",
    "Connect with a valid token (getToken) and try again.",
  ),
  TOKEN_MISSING: spec(
    "No token was sent with the connection.",
    "Pass `token` or `getToken` to createEventBus; the relay expects it in the socket.io handshake as auth.token.",
  ),
  TOKEN_INVALID: spec(
    "The token could not be verified.",
    "Issue a token signed with the relay's key and allowed algorithm, with the right iss/aud and a `sub` claim.",
  ),
  TOKEN_EXPIRED: spec(
    "The token has expired.",
    "Return a fresh token from getToken(); the client asks for one before every reconnect.",
    true,
  ),
  TOKEN_REVOKED: spec(
    "The session was revoked by the backend.",
    "Sign in again to get a token issued after the revocation.",
  ),
  FORBIDDEN: spec(
    "This token is not allowed to do that.",
    "Add the room to the token's `rooms` (join) or `publish` claim, or allow it in the relay's authorize hook.",
  ),
  RATE_LIMITED: spec(
    "Too many requests from this connection.",
    "Slow down; the client retries publishes with backoff. Raise the relay's rate limit if this is expected traffic.",
    true,
  ),
  TOO_MANY_CONNECTIONS: spec(
    "This user has too many open connections.",
    "Close unused tabs or devices, or raise the relay's per-user connection cap.",
    true,
  ),
  TOO_MANY_ROOMS: spec(
    "This connection has joined too many rooms.",
    "Leave rooms you no longer need, or raise the relay's rooms-per-socket cap.",
  ),
  NOT_CONNECTED: spec(
    "The event bus is not connected.",
    "Call connect() first, or wait for status 'connected'.",
    true,
  ),
  TIMEOUT: spec(
    "The operation did not complete in time.",
    "Check that the relay and the broker are reachable; the operation may be retried.",
    true,
  ),
  BROKER_UNAVAILABLE: spec(
    "The broker (Redis) is not reachable.",
    "Check EVENT_BUS_REDIS_URL / EVENT_BUS_REDIS_CLUSTER and that Redis is running; the bus reconnects by itself.",
    true,
  ),
  OUTBOX_FULL: spec(
    "The offline outbox is full, so this publish was not kept.",
    "Raise outbox.maxMessages / outbox.maxBytes, or choose overflow: 'drop-oldest'.",
  ),
  OUTBOX_EXPIRED: spec(
    "The publish waited in the offline outbox longer than outbox.maxAge.",
    "Raise outbox.maxAge if messages may wait longer for a connection.",
  ),
  CLOSED: spec("The event bus was closed.", "Create a new instance; a closed one cannot be reused."),
  CANCELLED: spec(
    "The operation was cancelled before it completed.",
    "A later call superseded it (e.g. leaveRoom before the join finished); nothing to do unless you still need it.",
  ),
  SLOW_CONSUMER: spec(
    "The connection fell too far behind and was disconnected.",
    "Handle events faster; the client reconnects and recovers what it missed.",
    true,
  ),
  ADDRESS_IN_USE: spec(
    "The address the relay should listen on is already in use.",
    "Stop the process holding the port, or choose another port (--port / PORT, or `port` in createRelay; 0 picks a free one).",
  ),
  SERVER_SHUTDOWN: spec(
    "The relay is shutting down.",
    "Reconnect; the load balancer will pick another relay.",
    true,
  ),
  HANDLER_TIMEOUT: spec(
    "An event handler did not finish in time.",
    "Make the handler faster or raise its `timeout`; after the last retry the event goes to the dead-letter store.",
  ),
  NOT_FOUND: spec("The requested item does not exist.", "Check the id; it may have been purged."),
  DELIVERY_LIMIT: spec(
    "The event was delivered to consumers of its group more times than allowed without being acknowledged.",
    "A consumer probably crashed while handling it each time; inspect it in the dead letters, fix the handler, then replay it.",
  ),
  STORE_UNAVAILABLE: spec(
    "The event store (PostgreSQL) is not reachable.",
    "Check the store's connection settings and that PostgreSQL is running; queued events are written once it is back.",
    true,
  ),
  STORE_BACKLOG_FULL: spec(
    "The event store's write queue is full, so this event was not published.",
    "PostgreSQL is down or too slow: bring it back, or raise store.maxQueued (or choose store.overflow: 'drop').",
    true,
  ),
  INTERNAL: spec(
    "An internal error occurred.",
    "This is a bug in the event bus; please report it with the trace id from the logs.",
    true,
  ),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_SPECS;

export const ERROR_CODES = Object.keys(ERROR_SPECS) as readonly ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_SPECS, value);
}

/** The serialisable form of an error, as sent over the wire. */
export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
}

export interface EventBusErrorOptions {
  readonly cause?: unknown;
  /** What to do, when the code's default hint does not fit this cause (e.g. a wrong password). */
  readonly hint?: string;
  /** Extra structured facts (limit, size, room, ...) for logs and programs. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export class EventBusError extends Error {
  override readonly name = "EventBusError";
  readonly code: ErrorCode;
  readonly hint: string;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  /**
   * @param code    a stable code from ERROR_SPECS
   * @param problem what exactly was wrong (defaults to the code's message); the hint is appended
   */
  constructor(code: ErrorCode, problem?: string, options: EventBusErrorOptions = {}) {
    const { message, retryable } = ERROR_SPECS[code];
    const hint = options.hint ?? ERROR_SPECS[code].hint;
    super(`${code}: ${problem ?? message} ${hint}`, { cause: options.cause });
    this.code = code;
    this.hint = hint;
    this.retryable = retryable;
    this.details = options.details;
  }

  toWire(): WireError {
    return { code: this.code, message: this.message };
  }

  /** Rebuilds an error received over the wire; unknown codes become INTERNAL. */
  static fromWire(value: unknown): EventBusError {
    if (typeof value === "object" && value !== null) {
      const { code, message } = value as { code?: unknown; message?: unknown };
      if (isErrorCode(code)) {
        const error = new EventBusError(code);
        if (typeof message === "string") error.message = message;
        return error;
      }
    }
    return new EventBusError("INTERNAL", `Unrecognised error from the relay: ${safePreview(value)}.`);
  }
}

export function isEventBusError(value: unknown, code?: ErrorCode): value is EventBusError {
  return value instanceof EventBusError && (code === undefined || value.code === code);
}

/** Wraps anything thrown into an EventBusError, keeping EventBusErrors as they are. */
export function toEventBusError(value: unknown, fallback: ErrorCode = "INTERNAL"): EventBusError {
  if (value instanceof EventBusError) return value;
  const text = value instanceof Error ? value.message : safePreview(value);
  return new EventBusError(fallback, text, { cause: value });
}

function safePreview(value: unknown): string {
  try {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return (text ?? String(value)).slice(0, 200);
  } catch {
    return String(value).slice(0, 200);
  }
}
