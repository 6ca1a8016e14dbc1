/**
 * The rooms folder (relay/edge/rooms/): joining and leaving rooms (this file), the bridge of
 * broker channels to socket.io rooms (bridge.ts, reference-counted subscriptions), presence
 * (presence.ts) and client publishes to rooms (publish.ts).
 *
 * `join`, `leave` and `presence`: the relay's rooms. The join sequence (docs/architecture.md)
 * guarantees no gap and no duplicate:
 *   1. the room's channel is held in the broker (bridge.ts) — the subscription confirmed;
 *   2. the socket joins the socket.io room (live messages flow from now on);
 *   3. position and history after the client's `since` are read;
 *   4. the ack carries them.
 * Joining twice is harmless (it re-syncs). Frames about one room take effect in arrival order:
 * authorization runs inside the room's queue, so `join X` then `leave X` never leaves the socket in X.
 */
import type { ChannelNames } from "../../../protocol/channels.js";
import { EventBusError } from "../../../protocol/errors.js";
import type { JoinResult, LeaveResult, PresenceEntry, PresenceResult } from "../../../protocol/frames.js";
import type { RewindRequest } from "../../../protocol/rewind.js";
import type { JoinedRoom, Session } from "../connection/session.js";
import { parseJoin, parseRoomOnly } from "../connection/validate-frames.js";
import { type Pacer, pageBytes, pageCost } from "../delivery/pacing.js";
import type { Recovery } from "../delivery/recovery.js";
import type { RewindStart } from "../delivery/rewind.js";
import type { RelayLimits } from "../options.js";
import type { MemberSocket } from "../types.js";
import type { ChannelHolds } from "./bridge.js";
import { type PresenceTracker, presenceRoom } from "./presence.js";

export interface RoomDeps {
  readonly names: ChannelNames;
  readonly channels: ChannelHolds;
  readonly presence: Pick<PresenceTracker, "add" | "remove" | "members">;
  readonly recovery: Pick<Recovery, "sync">;
  /** Where a join's rewind starts (delivery/rewind.ts). */
  readonly rewind: (channel: string, request: RewindRequest) => Promise<RewindStart>;
  readonly pacer: Pacer;
  readonly limits: Pick<RelayLimits, "maxRoomsPerSocket" | "historyCostBytes">;
}

export function roomHandlers(deps: RoomDeps) {
  return {
    join: (socket: MemberSocket, request: unknown) => join(deps, socket, request),
    leave: (socket: MemberSocket, request: unknown) => leave(deps, socket, request),
    presence: (socket: MemberSocket, request: unknown) => presence(deps, socket, request),
  };
}

async function join(deps: RoomDeps, socket: MemberSocket, request: unknown): Promise<JoinResult> {
  const req = parseJoin(request);
  const session = socket.data.session;
  return session.serial(`room:${req.room}`, async () => {
    await session.assertAllowed("join", req.room);
    const joined = session.rooms.get(req.room) ?? (await subscribeRoom(deps, socket, req.room));
    let members: readonly PresenceEntry[] | undefined;
    if (req.presence && !joined.presence) {
      joined.presence = true;
      await socket.join(presenceRoom(joined.channel));
      members = await deps.presence.add(joined.channel, req.room, presenceRecord(session, socket));
    } else if (joined.presence) {
      members = await deps.presence.members(joined.channel, req.room);
    }
    const rewind =
      req.rewind !== undefined && req.since === undefined
        ? await deps.rewind(joined.channel, req.rewind)
        : undefined;
    const since = rewind?.from ?? req.since;
    if (since !== undefined) await deps.pacer.room(socket.conn);
    const conflate = session.protocol >= 2;
    const sync = await deps.recovery.sync(joined.channel, since, undefined, conflate);
    session.limiter.charge(pageCost(pageBytes(sync.recovery), deps.limits));
    return { ...sync, room: req.room, ...(members && { members }), ...(rewind && { rewind }) };
  });
}

async function subscribeRoom(deps: RoomDeps, socket: MemberSocket, room: string): Promise<JoinedRoom> {
  const session = socket.data.session;
  const max = deps.limits.maxRoomsPerSocket;
  if (session.rooms.size >= max) {
    throw new EventBusError(
      "TOO_MANY_ROOMS",
      `This connection already joined ${max} rooms (the relay's limit).`,
    );
  }
  const joined: JoinedRoom = { channel: deps.names.room(room), state: "joining", presence: false };
  session.rooms.set(room, joined);
  try {
    await deps.channels.acquire(joined.channel);
  } catch (error) {
    session.rooms.delete(room);
    throw error;
  }
  if (session.closed) {
    deps.channels.release(joined.channel);
    throw new EventBusError("NOT_CONNECTED", "The socket disconnected during the join.");
  }
  joined.state = "joined";
  await socket.join(joined.channel);
  return joined;
}

function presenceRecord(session: Session, socket: MemberSocket) {
  const info = session.token.claims.info;
  return { connectionId: socket.id, userId: session.userId, ...(info !== undefined && { info }) };
}

async function leave(deps: RoomDeps, socket: MemberSocket, request: unknown): Promise<LeaveResult> {
  const { room } = parseRoomOnly(request, "leave");
  const session = socket.data.session;
  return session.serial(`room:${room}`, async () => {
    await dropRoom(deps, socket, room);
    return {};
  });
}

/** Takes the socket out of a room it holds: socket.io room, bridge hold, presence. Call in the room's queue. */
export async function dropRoom(
  deps: { readonly channels: ChannelHolds; readonly presence: Pick<PresenceTracker, "remove"> },
  socket: MemberSocket,
  room: string,
): Promise<void> {
  const session = socket.data.session;
  const joined = session.rooms.get(room);
  if (joined?.state !== "joined") return;
  session.rooms.delete(room);
  await socket.leave(joined.channel);
  deps.channels.release(joined.channel);
  if (joined.presence) {
    await socket.leave(presenceRoom(joined.channel));
    await deps.presence.remove(joined.channel, room, socket.id);
  }
}

/** `presence`: the members of a room the token may join. */
async function presence(deps: RoomDeps, socket: MemberSocket, request: unknown): Promise<PresenceResult> {
  const { room } = parseRoomOnly(request, "presence");
  await socket.data.session.assertAllowed("join", room);
  return { members: await deps.presence.members(deps.names.room(room), room) };
}
