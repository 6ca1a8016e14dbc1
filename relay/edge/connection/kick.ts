/** Disconnecting a socket with a reason: a `notice` frame first, then the transport is closed. */
import { type ErrorCode, EventBusError } from "../../../protocol/errors.js";
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

export function createKick(deps: {
  readonly metrics: Pick<RelayMetrics, "disconnects">;
  readonly logger: RelayLogger;
}): Kick {
  return (socket, code, problem, options = {}) => {
    if (!socket.connected) return;
    const notice = new EventBusError(code, problem).toWire();
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
