/**
 * A refreshed token takes effect at once: on every accepted `auth` frame the relay recomputes the
 * socket's own channels from the new claims (role channels added or removed — `hello` lists what
 * the socket has) and re-checks every joined room against the claims and the authorize hook. A
 * room no longer allowed is left immediately and the client is told with a `left` frame carrying a
 * coded FORBIDDEN; history of channels the socket no longer holds is refused from then on
 * (history.ts checks the current claims). Room checks run in each room's queue, so they interleave
 * with joins and leaves in arrival order.
 */
import type { ChannelNames } from "../../../protocol/channels.js";
import { EventBusError } from "../../../protocol/errors.js";
import { type AuthResult, type ChannelSync, RELAY_FRAMES } from "../../../protocol/frames.js";
import type { Recovery } from "../delivery/recovery.js";
import type { ChannelHolds } from "../rooms/bridge.js";
import type { PresenceTracker } from "../rooms/presence.js";
import { dropRoom } from "../rooms/room-frames.js";
import type { MemberSocket } from "../types.js";
import { acquireAll, ownChannels } from "./hello.js";

export interface PermissionDeps {
  readonly names: ChannelNames;
  readonly channels: ChannelHolds;
  readonly presence: Pick<PresenceTracker, "remove">;
  readonly recovery: Pick<Recovery, "sync">;
}

/** Applies the session's (new) claims to what the socket holds; the own-channel changes for the reply. */
export async function applyClaims(
  deps: PermissionDeps,
  socket: MemberSocket,
): Promise<Pick<AuthResult, "added" | "removed">> {
  const own = await updateOwnChannels(deps, socket);
  await recheckRooms(deps, socket);
  return own;
}

async function updateOwnChannels(
  deps: PermissionDeps,
  socket: MemberSocket,
): Promise<Pick<AuthResult, "added" | "removed">> {
  const session = socket.data.session;
  return session.serial("hello", async () => {
    const current = session.ownChannels;
    if (!current) return {};
    const next = ownChannels(deps.names, session);
    const removed = current.filter((channel) => !next.includes(channel));
    const added = next.filter((channel) => !current.includes(channel));
    for (const channel of removed) {
      await socket.leave(channel);
      deps.channels.release(channel);
    }
    await acquireAll(deps.channels, added);
    if (added.length > 0) await socket.join(added);
    session.ownChannels = next;
    const syncs: ChannelSync[] = await Promise.all(
      added.map((channel) => deps.recovery.sync(channel, undefined)),
    );
    return { ...(syncs.length > 0 && { added: syncs }), ...(removed.length > 0 && { removed }) };
  });
}

async function recheckRooms(deps: PermissionDeps, socket: MemberSocket): Promise<void> {
  const session = socket.data.session;
  const rooms = [...session.rooms.keys()];
  await Promise.all(
    rooms.map((room) =>
      session.serial(`room:${room}`, async () => {
        if (session.rooms.get(room)?.state !== "joined" || (await session.allows("join", room))) return;
        await dropRoom(deps, socket, room);
        const error = new EventBusError(
          "FORBIDDEN",
          `The refreshed token no longer allows room ${JSON.stringify(room)}.`,
        );
        socket.emit(RELAY_FRAMES.left, { room, error: error.toWire() });
      }),
    ),
  );
}
