/**
 * What to do about each error code: the second half of every EventBusError's message and its
 * `hint`. Kept apart from errors.ts so a production browser bundle can leave these sentences out
 * (build-mode.ts); Node (relay, backends, CLI) and development builds always have them.
 */
import type { ErrorCode } from "./errors.js";

export const ERROR_HINTS: Readonly<Record<ErrorCode, string>> = {
  INVALID_EVENT:
    "Send { type, data } where type is a dotted name like 'photo.uploaded' and data is JSON-serialisable.",
  INVALID_TYPE:
    "Use dot-separated segments of letters, digits, '_' or '-', e.g. 'photo.processing.completed' (max 128 characters).",
  INVALID_ROOM:
    "Use 1-128 characters from letters, digits and _ - . : @ = + | / (no spaces, braces or glob characters * ? [ ] \\).",
  INVALID_USER:
    "Use 1-128 characters from letters, digits and _ - . : @ = + | / (no spaces, braces or glob characters).",
  INVALID_ROLE: "Use 1-64 characters from letters, digits and _ - . (e.g. 'admin').",
  INVALID_CHANNEL:
    "Use an event type, 'user:<id>', 'room:<name>', 'role:<name>' or 'broadcast' (with the configured prefix).",
  INVALID_PATTERN:
    "Use a non-empty Redis glob of at most 256 characters, e.g. 'photo.*' or 'photo.processing.*'.",
  INVALID_FRAME: "Use the client SDK, or send frames exactly as documented in docs/protocol.md.",
  PROTOCOL_MISMATCH:
    "Deploy the relay and the client SDK of one release together (docs/protocol.md, 'Protocol versions'); a page still running an older SDK must be reloaded. The client keeps retrying with backoff.",
  INVALID_OPTIONS: "Check the option named in this message against the README.",
  CONFIG_INVALID: "Fix the setting named in this message (flag or environment variable) and start again.",
  TOO_LARGE:
    "Send a reference (an id or URL) instead of the payload, or raise the limit on both ends: `limits` of the client and backend, MAX_EVENT_BYTES / MAX_DATA_BYTES of the relay (see `event-bus relay --help`).",
  UNAUTHORIZED: "Connect with a valid token (getToken) and try again.",
  TOKEN_MISSING:
    "Pass `token` or `getToken` to createEventBus; the relay expects it in the socket.io handshake as auth.token.",
  TOKEN_INVALID:
    "Issue a token signed with the relay's key and allowed algorithm, with the right iss/aud and a `sub` claim.",
  TOKEN_EXPIRED: "Return a fresh token from getToken(); the client asks for one before every reconnect.",
  TOKEN_REVOKED: "Sign in again to get a token issued after the revocation.",
  FORBIDDEN:
    "Add the room to the token's `rooms` (join) or `publish` claim, or allow it in the relay's authorize hook.",
  RATE_LIMITED:
    "Slow down; the client retries publishes with backoff. Raise the relay's rate limit if this is expected traffic.",
  TOO_MANY_CONNECTIONS: "Close unused tabs or devices, or raise the relay's per-user connection cap.",
  TOO_MANY_ROOMS: "Leave rooms you no longer need, or raise the relay's rooms-per-socket cap.",
  NOT_CONNECTED: "Call connect() first, or wait for status 'connected'.",
  TIMEOUT: "Check that the relay and the broker are reachable; the operation may be retried.",
  BROKER_UNAVAILABLE:
    "Check EVENT_BUS_REDIS_URL / EVENT_BUS_REDIS_CLUSTER and that Redis is running; the bus reconnects by itself.",
  OUTBOX_FULL: "Raise outbox.maxMessages / outbox.maxBytes, or choose overflow: 'drop-oldest'.",
  OUTBOX_EXPIRED: "Raise outbox.maxAge if messages may wait longer for a connection.",
  CLOSED: "Create a new instance; a closed one cannot be reused.",
  CANCELLED:
    "A later call superseded it (e.g. leaveRoom before the join finished); nothing to do unless you still need it.",
  SLOW_CONSUMER: "Handle events faster; the client reconnects and recovers what it missed.",
  ADDRESS_IN_USE:
    "Stop the process holding the port, or choose another port (--port / PORT, or `port` in createRelay; 0 picks a free one).",
  SERVER_SHUTDOWN: "Reconnect; the load balancer will pick another relay.",
  HANDLER_TIMEOUT:
    "Make the handler faster or raise its `timeout`; after the last retry the event goes to the dead-letter store.",
  NOT_FOUND: "Check the id; it may have been purged.",
  DELIVERY_LIMIT:
    "A consumer probably crashed while handling it each time; inspect it in the dead letters, fix the handler, then replay it.",
  STORE_UNAVAILABLE:
    "Check the store's connection settings and that PostgreSQL is running; queued events are written once it is back.",
  STORE_BACKLOG_FULL:
    "PostgreSQL is down or too slow: bring it back, or raise store.maxQueued (or choose store.overflow: 'drop').",
  INTERNAL: "This is a bug in the event bus; please report it with the trace id from the logs.",
};
