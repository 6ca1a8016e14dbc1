/**
 * `join` and `leave`. The join sequence (docs/architecture.md) guarantees no gap and no duplicate:
 *   1. the bridge subscribes the room's channel in the broker — confirmed;
 *   2. the socket joins the socket.io room (live messages flow from now on);
 *   3. position and history after the client's `since` are read;
 *   4. the ack carries them.
 * Joining twice is harmless (it re-syncs); join and leave of one room never interleave.
 */
import { EventBusError } from "../../../protocol/errors.js";
import type { JoinResult, LeaveResult, PresenceEntry, PresenceResult } from "../../../protocol/frames.js";
import type { JoinedRoom, Session } from "../connection/session.js";
import { parseJoin, parseRoomOnly } from "../connection/validate-frames.js";
import { presenceRoom } from "../delivery/dispatch.js";
import { syncChannel } from "../delivery/recovery.js";
import type { RelayContext, RelaySocket } from "../types.js";

export async function assertAllowed(
  session: Session,
  action: "join" | "publish",
  room: string,
): Promise<void> {
  if (!(await session.allows(action, room))) {
    throw new EventBusError(
      "FORBIDDEN",
      `This token may not ${action} ${action === "join" ? "" : "to "}room ${JSON.stringify(room)}.`,
    );
  }
}

export async function join(ctx: RelayContext, socket: RelaySocket, request: unknown): Promise<JoinResult> {
  const req = parseJoin(request);
  const session = socket.data.session;
  await assertAllowed(session, "join", req.room);
  return session.serial(`room:${req.room}`, async () => {
    const joined = session.rooms.get(req.room) ?? (await subscribeRoom(ctx, socket, req.room));
    let members: readonly PresenceEntry[] | undefined;
    if (req.presence && !joined.presence) {
      joined.presence = true;
      await socket.join(presenceRoom(joined.channel));
      members = await ctx.presence.add(joined.channel, req.room, presenceRecord(session, socket));
    } else if (joined.presence) {
      members = await ctx.presence.members(joined.channel, req.room);
    }
    const sync = await syncChannel(
      ctx.broker,
      ctx.metrics,
      joined.channel,
      req.since,
      ctx.options.recoveryPageSize,
    );
    return { ...sync, room: req.room, ...(members && { members }) };
  });
}

async function subscribeRoom(ctx: RelayContext, socket: RelaySocket, room: string): Promise<JoinedRoom> {
  const session = socket.data.session;
  if (session.rooms.size >= ctx.limits.maxRoomsPerSocket) {
    throw new EventBusError(
      "TOO_MANY_ROOMS",
      `This connection already joined ${ctx.limits.maxRoomsPerSocket} rooms (the relay's limit).`,
    );
  }
  const joined: JoinedRoom = { channel: ctx.names.room(room), state: "joining", presence: false };
  session.rooms.set(room, joined);
  try {
    await ctx.bridge.acquire(joined.channel);
  } catch (error) {
    session.rooms.delete(room);
    throw error;
  }
  if (session.closed) {
    ctx.bridge.release(joined.channel);
    throw new EventBusError("NOT_CONNECTED", "The socket disconnected during the join.");
  }
  joined.state = "joined";
  await socket.join(joined.channel);
  return joined;
}

function presenceRecord(session: Session, socket: RelaySocket) {
  const info = session.token.claims.info;
  return { connectionId: socket.id, userId: session.userId, ...(info !== undefined && { info }) };
}

export async function leave(ctx: RelayContext, socket: RelaySocket, request: unknown): Promise<LeaveResult> {
  const { room } = parseRoomOnly(request, "leave");
  const session = socket.data.session;
  return session.serial(`room:${room}`, async () => {
    const joined = session.rooms.get(room);
    if (!joined) return {};
    session.rooms.delete(room);
    await socket.leave(joined.channel);
    ctx.bridge.release(joined.channel);
    if (joined.presence) {
      await socket.leave(presenceRoom(joined.channel));
      await ctx.presence.remove(joined.channel, room, socket.id);
    }
    return {};
  });
}

/** `presence`: the members of a room the token may join. */
export async function presence(
  ctx: RelayContext,
  socket: RelaySocket,
  request: unknown,
): Promise<PresenceResult> {
  const { room } = parseRoomOnly(request, "presence");
  await assertAllowed(socket.data.session, "join", room);
  return { members: await ctx.presence.members(ctx.names.room(room), room) };
}
