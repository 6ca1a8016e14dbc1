/**
 * Every error a user of the event bus can hit: one class, stable codes, and for each code a
 * default message that says what was wrong and a hint that says what to do about it.
 * Codes travel over the wire (`{ error: { code, message } }`) and in socket.io `connect_error`.
 * The hints live in error-hints.ts: a production browser bundle leaves them out (build-mode.ts).
 */
import { HINTS_INCLUDED } from "./build-mode.js";
import { ERROR_HINTS } from "./error-hints.js";

interface ErrorSpec {
  /** What went wrong, in one sentence. */
  readonly message: string;
  /** What the caller should do about it. */
  readonly hint: string;
  /** Whether sending the same thing again later can succeed. */
  readonly retryable: boolean;
}

type Basic = Omit<ErrorSpec, "hint">;

const basic = (message: string, retryable = false): Basic => ({ message, retryable });

const BASICS = {
  INVALID_EVENT: basic("The event is malformed."),
  INVALID_TYPE: basic("The event type is not a valid name."),
  INVALID_ROOM: basic("The room name is not valid."),
  INVALID_USER: basic("The user id is not valid."),
  INVALID_ROLE: basic("The role name is not valid."),
  INVALID_CHANNEL: basic("The channel name is not one this bus knows."),
  INVALID_PATTERN: basic("The subscription pattern is not valid."),
  INVALID_FRAME: basic("The frame sent to the relay has the wrong shape."),
  PROTOCOL_MISMATCH: basic("The client and the relay speak different protocol versions.", true),
  INVALID_OPTIONS: basic("An option passed to the event bus is not valid."),
  CONFIG_INVALID: basic("The configuration is not valid."),
  TOO_LARGE: basic("The event is larger than the configured limit."),
  UNAUTHORIZED: basic("The connection is not authenticated."),
  TOKEN_MISSING: basic("No token was sent with the connection."),
  TOKEN_INVALID: basic("The token could not be verified."),
  TOKEN_EXPIRED: basic("The token has expired.", true),
  TOKEN_REVOKED: basic("The session was revoked by the backend."),
  FORBIDDEN: basic("This token is not allowed to do that."),
  RATE_LIMITED: basic("Too many requests from this connection.", true),
  TOO_MANY_CONNECTIONS: basic("This user has too many open connections.", true),
  TOO_MANY_ROOMS: basic("This connection has joined too many rooms."),
  NOT_CONNECTED: basic("The event bus is not connected.", true),
  TIMEOUT: basic("The operation did not complete in time.", true),
  BROKER_UNAVAILABLE: basic("The broker (Redis) is not reachable.", true),
  OUTBOX_FULL: basic("The offline outbox is full; this publish was not kept."),
  OUTBOX_EXPIRED: basic("The publish waited in the offline outbox longer than outbox.maxAge."),
  CLOSED: basic("The event bus was closed."),
  CANCELLED: basic("The operation was cancelled before it completed."),
  SLOW_CONSUMER: basic("The connection fell too far behind and was disconnected.", true),
  ADDRESS_IN_USE: basic("The relay's address is already in use."),
  SERVER_SHUTDOWN: basic("The relay is shutting down.", true),
  HANDLER_TIMEOUT: basic("A handler did not finish in time."),
  NOT_FOUND: basic("The requested item does not exist."),
  DELIVERY_LIMIT: basic("The event was delivered to its group too many times without an acknowledgement."),
  STORE_UNAVAILABLE: basic("The event store (PostgreSQL) is not reachable.", true),
  STORE_BACKLOG_FULL: basic("The event store's write queue is full; the event was not published.", true),
  INTERNAL: basic("An internal error occurred.", true),
} as const satisfies Record<string, Basic>;

export type ErrorCode = keyof typeof BASICS;

/** Every code's message, hint (error-hints.ts) and whether retrying can succeed. */
export const ERROR_SPECS: Readonly<Record<ErrorCode, ErrorSpec>> = /* @__PURE__ */ withHints(BASICS);

function withHints(basics: Readonly<Record<ErrorCode, Basic>>): Readonly<Record<ErrorCode, ErrorSpec>> {
  const entries = Object.entries(basics) as [ErrorCode, Basic][];
  return Object.fromEntries(
    entries.map(([code, spec]) => [code, { ...spec, hint: ERROR_HINTS[code] }]),
  ) as Record<ErrorCode, ErrorSpec>;
}

export const ERROR_CODES = Object.keys(BASICS) as readonly ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(BASICS, value);
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
    const { message, retryable } = BASICS[code];
    const hint = options.hint ?? (HINTS_INCLUDED ? ERROR_HINTS[code] : "");
    super(`${code}: ${problem ?? message}${hint ? ` ${hint}` : ""}`, { cause: options.cause });
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
