/**
 * Rooms, reference-counted across tabs: the relay sees one join per room however many tabs hold it
 * (and a second one only to add presence when a later tab asks for it), and one leave when the last
 * tab lets go. Operations on one room run one after another, as the relay runs them per socket.
 */
import type { ChannelNames } from "../../protocol/channels.js";
import { EventBusError } from "../../protocol/errors.js";
import type { JoinRequest, JoinResult, PresenceEntry } from "../../protocol/frames.js";
import type { RequestFn } from "../transport.js";
import type { HubPositions } from "./hub-sync.js";

interface HubRoom {
  readonly channel: string;
  /** Conns holding the room. */
  readonly holders: Set<string>;
  /** Conns that asked for presence. */
  readonly watchers: Set<string>;
  joined: boolean;
  presence: boolean;
  queue: Promise<unknown>;
}

export class HubRooms {
  private readonly rooms = new Map<string, HubRoom>();

  constructor(
    private readonly positions: HubPositions,
    /** Whether a conn is still attached (a join queued for a conn that went away is dropped). */
    private readonly attached: (conn: string) => boolean,
  ) {}

  /** Conns that receive a channel's messages (room channels only). */
  holdersOf(channel: string): readonly string[] {
    for (const room of this.rooms.values()) if (room.channel === channel) return [...room.holders];
    return [];
  }

  /** Conns that receive a room's presence events. */
  watchersOf(room: string): readonly string[] {
    return [...(this.rooms.get(room)?.watchers ?? [])];
  }

  roomsOf(conn: string): readonly string[] {
    return [...this.rooms].filter(([, room]) => room.holders.has(conn)).map(([name]) => name);
  }

  join(request: RequestFn, names: ChannelNames, conn: string, req: JoinRequest): Promise<JoinResult> {
    const room = this.room(req.room, names);
    return this.serial(room, async () => {
      if (!this.attached(conn)) throw new EventBusError("NOT_CONNECTED", "The tab went away.");
      room.holders.add(conn);
      try {
        return await this.joinHeld(request, req, room);
      } catch (error) {
        room.holders.delete(conn);
        throw error;
      } finally {
        if (req.presence === true && room.holders.has(conn)) room.watchers.add(conn);
      }
    });
  }

  leave(request: RequestFn, conn: string, name: string): Promise<void> {
    const room = this.rooms.get(name);
    if (!room) return Promise.resolve();
    return this.serial(room, async () => {
      room.holders.delete(conn);
      room.watchers.delete(conn);
      if (room.holders.size > 0 || !room.joined) return;
      room.joined = false;
      room.presence = false;
      this.positions.forget(room.channel);
      await request("leave", { room: name });
    });
  }

  /** The relay took the room away (a refreshed token no longer allows it): every tab loses it. */
  removed(name: string): readonly string[] {
    const room = this.rooms.get(name);
    if (!room) return [];
    const holders = [...room.holders];
    room.holders.clear();
    room.watchers.clear();
    room.joined = false;
    room.presence = false;
    this.positions.forget(room.channel);
    return holders;
  }

  clear(): void {
    this.rooms.clear();
  }

  private async joinHeld(request: RequestFn, req: JoinRequest, room: HubRoom): Promise<JoinResult> {
    if (!room.joined) {
      const result = await request("join", req);
      room.joined = true;
      room.presence = req.presence === true;
      this.positions.sync(result.channel, result.position);
      return result;
    }
    let members: readonly PresenceEntry[] | undefined;
    if (req.presence === true && !room.presence) {
      members = (await request("join", { room: req.room, presence: true })).members;
      room.presence = true;
    } else if (req.presence === true) {
      members = (await request("presence", { room: req.room })).members;
    }
    const sync = await this.positions.attach(request, room.channel, req.since);
    return { ...sync, room: req.room, ...(members && { members }) };
  }

  private room(name: string, names: ChannelNames): HubRoom {
    let room = this.rooms.get(name);
    if (!room) {
      room = {
        channel: names.room(name),
        holders: new Set(),
        watchers: new Set(),
        joined: false,
        presence: false,
        queue: Promise.resolve(),
      };
      this.rooms.set(name, room);
    }
    return room;
  }

  private serial<T>(room: HubRoom, run: () => Promise<T>): Promise<T> {
    const next = room.queue.then(run, run);
    room.queue = next.catch(() => undefined);
    return next;
  }
}
