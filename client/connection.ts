/**
 * The connection driver: carries out the state machine's commands (connection-state.ts), runs
 * our own reconnect loop, asks for a token before every attempt, refreshes it in-band before it
 * expires, and turns transport callbacks into state-machine events. Callbacks of a transport that
 * is no longer current are ignored (each attempt has its own id).
 */

import { type Clock, createTimer } from "../common/clock.js";
import { HINTS_INCLUDED } from "../protocol/build-mode.js";
import { type ErrorCode, EventBusError, toEventBusError } from "../protocol/errors.js";
import {
  type AuthResult,
  type HelloResult,
  PROTOCOL_VERSION,
  type PresenceEvent,
} from "../protocol/frames.js";
import {
  type Command,
  type ConnectionEvent,
  type ConnectionStatus,
  INITIAL_STATE,
  type StatusChange,
  type StatusReason,
  transition,
} from "./connection-state.js";
import { refreshDelay, type TokenSource } from "./token.js";
import type { RequestFn, Transport, TransportFactory, TransportHandlers } from "./transport.js";

/** One live connection. `active` turns false for good when it ends. */
export interface Session {
  readonly id: number;
  readonly request: RequestFn;
  token: string;
  active: boolean;
}

export interface ConnectionDeps {
  readonly clock: Clock;
  readonly backoff: (attempt: number) => number;
  /** How often getToken() is asked again while unauthorized (ms). */
  readonly unauthorizedPoll: number;
  readonly tokens: TokenSource;
  readonly createTransport: TransportFactory;
  /** Socket connected: start holding messages back, then send `hello` and apply its answer. */
  readonly handshake: (session: Session) => Promise<HelloResult>;
  /** The session is open (hello done): join rooms, flush the outbox. */
  readonly opened: (session: Session) => void;
  /** The session ended (before or after opening). */
  readonly closed: (session: Session) => void;
  readonly status: (change: StatusChange) => void;
  readonly error: (error: EventBusError) => void;
  readonly message: (channel: string, message: unknown, after?: number) => void;
  readonly presence: (event: PresenceEvent) => void;
  readonly resync: (channels: readonly string[]) => void;
  readonly left: (room: string, error: EventBusError) => void;
  /** An in-band token refresh was accepted: own channels it added or removed. */
  readonly refreshed: (result: AuthResult) => void;
}

/** Handshake refusals that a retry with the same token cannot fix. */
const AUTH_FAILURES: ReadonlySet<ErrorCode> = new Set([
  "UNAUTHORIZED",
  "TOKEN_MISSING",
  "TOKEN_INVALID",
  "TOKEN_REVOKED",
  "FORBIDDEN",
]);

export class Connection {
  private state = INITIAL_STATE;
  private attemptId = 0;
  private transport: Transport | null = null;
  private session: Session | null = null;
  /** The token the relay refused: asking getToken() again must give another one. */
  private rejectedToken: string | undefined;
  private rejection: EventBusError | undefined;
  private notice: EventBusError | undefined;
  /** A token checkToken() already fetched, for the attempt it starts. */
  private freshToken: string | undefined;
  private readonly retryTimer;
  private readonly refreshTimer;
  private readonly pollTimer;

  constructor(private readonly deps: ConnectionDeps) {
    this.retryTimer = createTimer(deps.clock);
    this.refreshTimer = createTimer(deps.clock);
    this.pollTimer = createTimer(deps.clock);
  }

  get status(): ConnectionStatus {
    return this.state.status;
  }

  /** connect() and reconnect(): start an attempt now, trying the current token again too. */
  connect(): void {
    this.rejectedToken = undefined;
    this.dispatch({ type: "connect" }, APP.connect);
  }

  disconnect(): void {
    this.dispatch({ type: "disconnect" }, APP.disconnect);
  }

  close(): void {
    this.dispatch({ type: "close" }, APP.close);
  }

  /** The browser came online or the page became visible: retry now, or look for a new token. */
  wake(): void {
    if (this.state.status === "reconnecting") this.dispatch({ type: "retry" }, APP.retry);
    else if (this.state.status === "unauthorized") void this.checkToken();
  }

  /** The browser went offline: drop the connection now; `online` (wake) retries at once. */
  offline(): void {
    const { status, opening } = this.state;
    if (status === "connected" || status === "connecting" || (status === "reconnecting" && opening)) {
      this.failWith(
        new EventBusError("NOT_CONNECTED", "The browser went offline.", {
          ...(HINTS_INCLUDED && {
            hint: "Nothing to do: the client reconnects when the browser is back online, and recovers what it missed.",
          }),
        }),
        undefined,
      );
    }
  }

  private dispatch(event: ConnectionEvent, reason: StatusReason): void {
    const previous = this.state.status;
    const { state, commands } = transition(this.state, event);
    this.state = state;
    for (const command of commands) this.run(command);
    if (state.status === "unauthorized") {
      if (previous !== "unauthorized")
        this.pollTimer.set(this.deps.unauthorizedPoll, () => void this.checkToken());
    } else {
      this.pollTimer.clear();
    }
    if (state.status !== previous) this.deps.status({ status: state.status, previous, reason });
  }

  private run(command: Command): void {
    switch (command.kind) {
      case "open":
        void this.open();
        return;
      case "teardown":
        this.teardown();
        return;
      case "schedule":
        this.retryTimer.set(this.deps.backoff(command.attempt), () =>
          this.dispatch({ type: "retry" }, APP.retry),
        );
        return;
      case "cancel":
        this.retryTimer.clear();
    }
  }

  private async open(): Promise<void> {
    const id = ++this.attemptId;
    let token: string;
    try {
      token = this.freshToken ?? (await this.deps.tokens.get());
      this.freshToken = undefined;
    } catch (error) {
      if (id === this.attemptId) this.failWith(tokenError(error), undefined);
      return;
    }
    if (id !== this.attemptId) return;
    if (token === this.rejectedToken) {
      const rejection = this.rejection ?? new EventBusError("UNAUTHORIZED");
      this.deps.error(rejection);
      this.dispatch({ type: "rejected" }, reasonOf(rejection));
      return;
    }
    this.notice = undefined;
    this.transport = this.deps.createTransport({ token, v: PROTOCOL_VERSION }, this.handlers(id, token));
  }

  private handlers(id: number, token: string): TransportHandlers {
    const current = (): boolean => id === this.attemptId;
    return {
      connect: () => current() && this.started(id, token),
      connectError: (error) => current() && this.failWith(error, token),
      disconnect: (reason) =>
        current() &&
        this.failWith(
          this.notice ??
            new EventBusError("NOT_CONNECTED", `The connection was lost (${reason}).`, {
              ...(HINTS_INCLUDED && {
                hint: "The client reconnects by itself with backoff and recovers what it missed; if it keeps happening, check the relay's logs and any proxy's idle timeout.",
              }),
            }),
          token,
        ),
      notice: (notice) => {
        if (current()) this.notice = notice;
      },
      message: (channel, raw, after) => current() && this.deps.message(channel, raw, after),
      presence: (event) => current() && this.deps.presence(event),
      resync: (channels) => current() && this.deps.resync(channels),
      left: (room, error) => current() && this.deps.left(room, error),
    };
  }

  private started(id: number, token: string): void {
    const transport = this.transport;
    if (!transport) return;
    const session: Session = { id, request: transport.request, token, active: true };
    this.session = session;
    this.deps.handshake(session).then(
      (hello) => {
        if (id !== this.attemptId) return;
        this.dispatch({ type: "opened" }, APP.opened);
        this.scheduleRefresh(session, hello.expiresAt);
        this.deps.opened(session);
      },
      (error: unknown) => {
        if (id === this.attemptId) this.failWith(toEventBusError(error), token);
      },
    );
  }

  private failWith(error: EventBusError, token: string | undefined): void {
    this.deps.error(error);
    if (token !== undefined && (error.code === "TOKEN_EXPIRED" || AUTH_FAILURES.has(error.code))) {
      this.rejectedToken = token;
      this.rejection = error;
    }
    this.dispatch({ type: AUTH_FAILURES.has(error.code) ? "rejected" : "failed" }, reasonOf(error));
  }

  private teardown(): void {
    this.attemptId++;
    this.refreshTimer.clear();
    const { transport, session } = this;
    this.transport = null;
    this.session = null;
    transport?.close();
    if (session) {
      session.active = false;
      this.deps.closed(session);
    }
  }

  private scheduleRefresh(session: Session, expiresAt: number | null): void {
    if (expiresAt === null || !this.deps.tokens.refreshable || !session.active) return;
    const delay = refreshDelay(expiresAt, this.deps.clock.now());
    this.refreshTimer.set(delay, () => void this.refresh(session, expiresAt));
  }

  /** In-band refresh: a new token over the live socket, no reconnect. */
  private async refresh(session: Session, expiresAt: number): Promise<void> {
    const left = (): number => expiresAt - this.deps.clock.now();
    const again = (ms: number): void => {
      if (session.active && left() > 0)
        this.refreshTimer.set(ms, () => void this.refresh(session, expiresAt));
    };
    try {
      const token = await this.deps.tokens.get();
      if (!session.active) return;
      if (token === session.token) return again(Math.max(1000, left() / 2));
      const result = await session.request("auth", { token });
      if (!session.active) return;
      session.token = token;
      this.deps.refreshed(result);
      this.scheduleRefresh(session, result.expiresAt);
    } catch (error) {
      if (!session.active) return;
      const failure = toEventBusError(error);
      this.deps.error(failure);
      // Otherwise the relay disconnects when the token expires, and the reconnect asks again.
      if (failure.retryable) again(Math.max(1000, Math.min(this.deps.backoff(2), left() / 2)));
    }
  }

  private async checkToken(): Promise<void> {
    if (!this.deps.tokens.refreshable || this.state.status !== "unauthorized") return;
    this.pollTimer.set(this.deps.unauthorizedPoll, () => void this.checkToken());
    try {
      const token = await this.deps.tokens.get();
      if (this.state.status === "unauthorized" && token !== this.rejectedToken) {
        this.freshToken = token;
        this.dispatch({ type: "connect" }, APP.newToken);
      }
    } catch (error) {
      this.deps.error(tokenError(error));
    }
  }
}

/** Reasons of the app's own actions and of success. */
const APP = {
  connect: { code: "CONNECT_CALLED", message: "connect() or reconnect() was called." },
  disconnect: { code: "DISCONNECT_CALLED", message: "disconnect() was called." },
  close: { code: "CLOSED", message: "close() was called; the bus is closed for good." },
  retry: { code: "NOT_CONNECTED", message: "Retrying the connection." },
  opened: { code: "CONNECTED", message: "The relay accepted the connection." },
  newToken: { code: "NEW_TOKEN", message: "getToken() gave a new token; connecting with it." },
} as const satisfies Record<string, StatusReason>;

function reasonOf(error: EventBusError): StatusReason {
  return { code: error.code, message: error.message };
}

/** getToken() threw: its own EventBusError as it is, anything else as a retryable failure. */
function tokenError(error: unknown): EventBusError {
  if (error instanceof EventBusError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new EventBusError("NOT_CONNECTED", `getToken() failed: ${text}.`, {
    cause: error,
    ...(HINTS_INCLUDED && {
      hint: "The relay was not contacted: fix the function passed as getToken (usually a fetch of your token endpoint, e.g. /api/event-token: is it up, does it answer 200 with a token?); the client asks again with backoff.",
    }),
  });
}
