/**
 * `history`: a further page of a channel's history after a position, for channels the socket is
 * subscribed to (its own channels after `hello`, joined rooms) — never another user's channel.
 */
import type { ChannelNames } from "../../../protocol/channels.js";
import { EventBusError } from "../../../protocol/errors.js";
import type { HistoryResult } from "../../../protocol/frames.js";
import { holdsChannel } from "../connection/session.js";
import { parseHistory } from "../connection/validate-frames.js";
import type { RelayLimits } from "../options.js";
import type { MemberSocket } from "../types.js";
import { type Pacer, pageBytes, pageCost } from "./pacing.js";
import type { Recovery } from "./recovery.js";

export interface HistoryDeps {
  readonly names: ChannelNames;
  readonly recovery: Recovery;
  readonly pacer: Pacer;
  readonly limits: Pick<RelayLimits, "historyCostBytes">;
}

export function historyHandler(deps: HistoryDeps) {
  return async (socket: MemberSocket, request: unknown): Promise<HistoryResult> => {
    const req = parseHistory(request);
    const parsed = deps.names.parse(req.channel);
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
    const session = socket.data.session;
    const room = parsed.kind === "room" ? parsed.name : undefined;
    return session.serial("history", async () => {
      if (room !== undefined) await session.assertAllowed("join", room);
      await deps.pacer.room(socket.conn);
      const limit = req.limit ?? deps.recovery.pageSize;
      const page = await deps.recovery.page(req.channel, req.since, limit, undefined, session.protocol >= 2);
      session.limiter.charge(pageCost(pageBytes(page), deps.limits));
      return page;
    });
  };
}
