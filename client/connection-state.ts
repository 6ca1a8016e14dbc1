import type { ErrorCode } from "../protocol/errors.js";

/**
 * The connection's state machine: one table, one pure transition function. The driver
 * (connection.ts) feeds it events and carries out the commands it returns; nothing else changes
 * the status.
 *
 *   idle ──connect──► connecting ──opened──► connected ──failed──► reconnecting ──retry──┐
 *                        │  ▲                    │                    ▲     │             │
 *                        │  └───────connect──────┤                    └─────┴──failed◄────┘
 *                        └──rejected──► unauthorized ◄──rejected──────────────┘
 *   disconnect (any) ──► disconnected ──connect──► connecting;   close (any) ──► disconnected, for good
 */
export type ConnectionStatus =
  | "idle"
  | "connecting"
  | "connected"
  | "reconnecting"
  | "disconnected"
  | "unauthorized";

/**
 * Why the status changed (centrifuge-js's habit): an error code when something failed or the relay
 * said why (`SLOW_CONSUMER`, `TOKEN_EXPIRED`, `NOT_CONNECTED`, …), or one of the codes of the app's
 * own actions and of success.
 */
export type StatusReasonCode =
  | ErrorCode
  /** connect() or reconnect() was called. */
  | "CONNECT_CALLED"
  /** disconnect() was called. */
  | "DISCONNECT_CALLED"
  /** The relay accepted the connection and answered `hello`. */
  | "CONNECTED"
  /** getToken() gave a new token while unauthorized. */
  | "NEW_TOKEN";

export interface StatusReason {
  readonly code: StatusReasonCode;
  readonly message: string;
}

/** One status change, as `status` events and the store report it. */
export interface StatusChange {
  readonly status: ConnectionStatus;
  readonly previous: ConnectionStatus;
  readonly reason: StatusReason;
}

export const INITIAL_REASON: StatusReason = Object.freeze({
  code: "DISCONNECT_CALLED",
  message: "Not connected yet.",
});

export interface ConnectionState {
  readonly status: ConnectionStatus;
  /** Failed attempts since the last successful connection; drives the backoff. */
  readonly attempt: number;
  /** A transport is being opened (false while a retry waits for its timer). */
  readonly opening: boolean;
  /** close() was called; every later event is ignored. */
  readonly closed: boolean;
}

export type ConnectionEvent =
  /** connect() or reconnect(): start an attempt now, forgetting earlier failures. */
  | { readonly type: "connect" }
  /** Handshake accepted and `hello` answered. */
  | { readonly type: "opened" }
  /** An attempt or a live connection failed in a way that a retry can fix. */
  | { readonly type: "failed" }
  /** Authentication refused: wait for a new token or reconnect(). */
  | { readonly type: "rejected" }
  /** The retry timer fired, or the browser came online / the page became visible. */
  | { readonly type: "retry" }
  | { readonly type: "disconnect" }
  | { readonly type: "close" };

export type Command =
  /** Open a transport (after getting a token). */
  | { readonly kind: "open" }
  /** Close the current transport, if any. */
  | { readonly kind: "teardown" }
  /** Arm the retry timer with backoffDelay(attempt). */
  | { readonly kind: "schedule"; readonly attempt: number }
  /** Disarm the retry timer. */
  | { readonly kind: "cancel" };

export interface Transition {
  readonly state: ConnectionState;
  readonly commands: readonly Command[];
}

export const INITIAL_STATE: ConnectionState = Object.freeze({
  status: "idle",
  attempt: 0,
  opening: false,
  closed: false,
});

type Handler = (state: ConnectionState) => Transition;
type Row = Partial<Record<ConnectionEvent["type"], Handler>>;

const OPEN = { kind: "open" } as const;
const TEARDOWN = { kind: "teardown" } as const;
const CANCEL = { kind: "cancel" } as const;

const to = (
  state: ConnectionState,
  patch: Partial<ConnectionState>,
  commands: readonly Command[] = [],
): Transition => ({ state: { ...state, ...patch }, commands });

const start =
  (status: ConnectionStatus): Handler =>
  (s) =>
    to(s, { status, attempt: 0, opening: true }, [CANCEL, TEARDOWN, OPEN]);

const fail: Handler = (s) =>
  to(s, { status: "reconnecting", attempt: s.attempt + 1, opening: false }, [
    TEARDOWN,
    { kind: "schedule", attempt: s.attempt },
  ]);

const reject: Handler = (s) => to(s, { status: "unauthorized", opening: false }, [CANCEL, TEARDOWN]);
const stop: Handler = (s) => to(s, { status: "disconnected", opening: false }, [CANCEL, TEARDOWN]);
const opened: Handler = (s) => to(s, { status: "connected", attempt: 0, opening: false });

/** What each status does with each event; a missing cell means "ignore the event". */
export const TABLE: Readonly<Record<ConnectionStatus, Row>> = {
  idle: { connect: start("connecting"), disconnect: stop },
  connecting: { connect: start("connecting"), opened, failed: fail, rejected: reject, disconnect: stop },
  connected: { connect: start("reconnecting"), failed: fail, rejected: reject, disconnect: stop },
  reconnecting: {
    connect: start("reconnecting"),
    opened,
    failed: (s) => (s.opening ? fail(s) : to(s, {})),
    rejected: reject,
    retry: (s) => (s.opening ? to(s, {}) : to(s, { opening: true }, [CANCEL, OPEN])),
    disconnect: stop,
  },
  unauthorized: { connect: start("connecting"), disconnect: stop },
  disconnected: { connect: start("connecting") },
};

/** The next state and the commands to carry out. Pure. */
export function transition(state: ConnectionState, event: ConnectionEvent): Transition {
  if (state.closed) return { state, commands: [] };
  if (event.type === "close") {
    return to(state, { status: "disconnected", opening: false, closed: true }, [CANCEL, TEARDOWN]);
  }
  const handler = TABLE[state.status][event.type];
  return handler ? handler(state) : { state, commands: [] };
}
