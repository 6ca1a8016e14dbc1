/**
 * `history`: a further page of a channel's history after a position, for channels the socket is
 * subscribed to (its own channels after `hello`, joined rooms) — never another user's channel.
 */
import { EventBusError } from "../../../protocol/errors.js";
import type { HistoryResult } from "../../../protocol/frames.js";
import { holdsChannel } from "../connection/session.js";
import { parseHistory } from "../connection/validate-frames.js";
import type { RelayContext, RelaySocket } from "../types.js";
import { readPage } from "./recovery.js";

export async function history(
  ctx: RelayContext,
  socket: RelaySocket,
  request: unknown,
): Promise<HistoryResult> {
  const req = parseHistory(request);
  const parsed = ctx.names.parse(req.channel);
  if (!parsed?.recoverable) {
    throw new EventBusError(
      "INVALID_CHANNEL",
      `Channel ${JSON.stringify(req.channel.slice(0, 80))} has no history.`,
    );
  }
  if (!holdsChannel(socket.data.session, req.channel)) {
    throw new EventBusError(
      "FORBIDDEN",
      `This socket is not subscribed to ${JSON.stringify(req.channel.slice(0, 80))}; send hello or join the room first.`,
    );
  }
  return readPage(ctx.broker, ctx.metrics, req.channel, req.since, req.limit ?? ctx.options.recoveryPageSize);
}
