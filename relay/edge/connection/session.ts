/**
 * What the relay knows about one socket: its verified token, what it may do, the channels it holds
 * in the bridge and its rate limiter. Kept small: an idle connection should
 * cost little memory.
 */

import type { Clock } from "../../../common/clock.js";
import { EventBusError } from "../../../protocol/errors.js";
import { type AuthorizeHook, isAllowed, type RoomAction } from "../../auth/authorize.js";
import type { VerifiedToken } from "../../auth/verify-token.js";
import type { RelayLimits } from "../options.js";
import { FrameRateLimiter } from "./limits.js";
import { RoomTable } from "./room-table.js";

export interface JoinedRoom {
  readonly channel: string;
  /** `joining` while the bridge subscription is being confirmed; the join itself cleans up then. */
  state: "joining" | "joined";
  presence: boolean;
}

export class Session {
  readonly userId: string;
  token: VerifiedToken;
  readonly limiter: FrameRateLimiter;
  /** Rooms joined or being joined, by room name. */
  readonly rooms = new RoomTable<JoinedRoom>();
  /** The socket's own channels (user, broadcast, roles) once `hello` subscribed them. */
  ownChannels: readonly string[] | null = null;
  /** Whether the bridge holds the user channel for this socket's control messages (revocation). */
  holdsUserChannel = false;
  closed = false;
  /** The protocol version the client said it speaks (1 when it said none); 2: conflation markers. */
  protocol = 1;
  private queues: Map<string, Promise<unknown>> | undefined;

  constructor(
    readonly connectionId: string,
    token: VerifiedToken,
    private readonly hook: AuthorizeHook | undefined,
    limits: RelayLimits,
    clock: Pick<Clock, "now">,
  ) {
    this.userId = token.userId;
    this.token = token;
    this.limiter = new FrameRateLimiter(limits, clock);
  }

  /** Replaces the token after an in-band refresh (same user). */
  refresh(token: VerifiedToken): void {
    this.token = token;
  }

  /** Whether the current token (and the authorize hook) allow the action on the room. */
  allows(action: RoomAction, room: string): Promise<boolean> {
    return isAllowed({ userId: this.userId, claims: this.token.claims }, this.hook, action, room);
  }

  /** Throws FORBIDDEN unless the current token (and the authorize hook) allow the action. */
  async assertAllowed(action: RoomAction, room: string): Promise<void> {
    if (await this.allows(action, room)) return;
    throw new EventBusError(
      "FORBIDDEN",
      `This token may not ${action} ${action === "join" ? "" : "to "}room ${JSON.stringify(room)}.`,
    );
  }

  /** Runs `task` after every earlier task with the same key (join/leave of one room never interleave). */
  serial<T>(key: string, task: () => Promise<T>): Promise<T> {
    this.queues ??= new Map();
    const queues = this.queues;
    const previous = queues.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
      if (queues.size === 0 && this.queues === queues) this.queues = undefined;
    });
    return run;
  }
}

/** Whether the socket is subscribed to `channel` (its own channels or a joined room). */
export function holdsChannel(session: Session, channel: string): boolean {
  if (session.ownChannels?.includes(channel)) return true;
  for (const room of session.rooms.values())
    if (room.channel === channel && room.state === "joined") return true;
  return false;
}
