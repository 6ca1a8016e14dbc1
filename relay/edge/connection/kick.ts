/** Disconnecting a socket with a reason: a `notice` frame first, then the transport is closed. */
import { type ErrorCode, EventBusError } from "../../../protocol/errors.js";
import { RELAY_FRAMES } from "../../../protocol/frames.js";
import type { RelayContext, RelaySocket } from "../types.js";

export interface KickOptions {
  /** Drop whatever is still queued for the socket and cut the transport at once (slow consumers). */
  readonly discard?: boolean;
}

export function kick(
  ctx: RelayContext,
  socket: RelaySocket,
  code: ErrorCode,
  problem?: string,
  options: KickOptions = {},
): void {
  if (!socket.connected) return;
  const notice = new EventBusError(code, problem).toWire();
  ctx.metrics.disconnects.inc({ reason: code });
  ctx.logger.info(
    { connectionId: socket.id, userId: socket.data.session?.userId, reason: code },
    "disconnecting socket",
  );
  socket.emit(RELAY_FRAMES.notice, notice);
  socket.disconnect(true);
  if (options.discard) cutTransport(socket);
}

interface CuttableTransport {
  discard?: () => void;
  socket?: { terminate?: () => void };
}

/** Frees a stuck connection's buffers now instead of waiting for them to drain. */
function cutTransport(socket: RelaySocket): void {
  const conn = socket.conn as unknown as { close(discard: boolean): void; transport: CuttableTransport };
  conn.close(true);
  conn.transport.socket?.terminate?.();
}
