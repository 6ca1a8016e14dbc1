/**
 * Disconnecting a socket with a reason: a `notice` frame first, then the transport is closed. A
 * slow consumer's buffers are dropped with it, notice included; so the reason is also remembered
 * in the broker and given to the client's next connection (`hello` → `previous`, cut-reasons.ts).
 */
import { type ErrorCode, EventBusError, type WireError } from "../../../protocol/errors.js";
import { RELAY_FRAMES } from "../../../protocol/frames.js";
import { cutTransport } from "../delivery/engine-internals.js";
import type { RelayLogger } from "../operations/logger.js";
import type { RelayMetrics } from "../operations/metrics.js";
import type { RelaySocket } from "../types.js";

export interface KickOptions {
  /** Drop whatever is still queued for the socket and cut the transport at once (slow consumers). */
  readonly discard?: boolean;
}

export type Kick = (socket: RelaySocket, code: ErrorCode, problem?: string, options?: KickOptions) => void;

export interface KickDeps {
  readonly metrics: Pick<RelayMetrics, "disconnects">;
  readonly logger: RelayLogger;
  /** Remembers why a user's connection was cut, for its next `hello` (cut-reasons.ts). */
  readonly remember: (userId: string, connectionId: string, notice: WireError) => void;
}

export function createKick(deps: KickDeps): Kick {
  return (socket, code, problem, options = {}) => {
    if (!socket.connected) return;
    const notice = new EventBusError(code, problem).toWire();
    const userId = socket.data.session?.userId;
    if (userId !== undefined) deps.remember(userId, socket.id, notice);
    deps.metrics.disconnects.inc({ reason: code });
    deps.logger.info(
      { connectionId: socket.id, userId: socket.data.session?.userId, reason: code },
      "disconnecting socket",
    );
    socket.emit(RELAY_FRAMES.notice, notice);
    socket.disconnect(true);
    if (options.discard) cutTransport(socket.conn);
  };
}
