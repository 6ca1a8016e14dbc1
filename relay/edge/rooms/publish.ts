/**
 * `publish` from a socket (browsers publish to rooms only): validated, authorized by the token's
 * `publish` claim, built into an envelope (id = the client's UUIDv7, source `client:<sub>`,
 * userId = sub, room), written through the broker's atomic history + publish path and de-duplicated
 * by id (sending the same message twice publishes it once).
 */
import { encodeEvent } from "../../../protocol/codec.js";
import type { PublishResult } from "../../../protocol/frames.js";
import { parsePublish } from "../connection/validate-frames.js";
import type { RelayContext, RelaySocket } from "../types.js";
import { assertAllowed } from "./room-frames.js";

export async function publish(
  ctx: RelayContext,
  socket: RelaySocket,
  request: unknown,
): Promise<PublishResult> {
  const req = parsePublish(request);
  const session = socket.data.session;
  await assertAllowed(session, "publish", req.room);
  const { json } = encodeEvent(
    {
      id: req.id,
      type: req.type,
      data: req.data,
      source: `client:${session.userId}`,
      userId: session.userId,
      room: req.room,
      traceId: req.traceId,
    },
    ctx.limits,
  );
  const result = await ctx.broker.publishRecoverable(ctx.names.room(req.room), json, { dedupId: req.id });
  ctx.metrics.messagesIn.inc({ source: "client" });
  ctx.logger.debug(
    {
      connectionId: socket.id,
      userId: session.userId,
      room: req.room,
      id: req.id,
      traceId: req.traceId ?? req.id,
    },
    result.duplicate ? "client publish de-duplicated" : "client publish",
  );
  return { id: req.id, offset: result.offset, epoch: result.epoch, duplicate: result.duplicate };
}
