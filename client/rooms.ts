/**
 * Rooms as intent (centrifuge-js's model): joinRoom() records that the app wants a room; the bus
 * joins it on every connect, with the last position seen so the relay replays what was missed.
 * Joins are reference-counted: joining twice is harmless, and the room is left when the last
 * holder leaves. A join refused for good (FORBIDDEN, INVALID_ROOM, …) rejects its callers and is
 * not retried until joinRoom() is called again; retryable refusals are retried with backoff.
 */

import { type Clock, createTimer, type Timer } from "../common/clock.js";
import { EventBusError, toEventBusError } from "../protocol/errors.js";
import type { JoinResult, PresenceEvent } from "../protocol/frames.js";
import { assertRoomName } from "../protocol/names.js";
import type { StreamPosition } from "../protocol/position.js";
import type { RewindRequest } from "../protocol/rewind.js";
import type { Channels } from "./channels.js";
import type { Session } from "./connection.js";
import { type Member, RoomPresence } from "./presence.js";
import type { BusStore } from "./store.js";

export interface RoomsDeps {
  readonly channels: Channels;
  readonly store: BusStore;
  readonly clock: Clock;
  readonly retryDelay: (attempt: number) => number;
  /** The channel of a room (`room:<name>` with the relay's prefix). */
  readonly channelOf: (room: string) => string;
  readonly error: (error: EventBusError) => void;
  /** A join's rewind reached past the relay's retained history: it replays from `from`. */
  readonly rewindTruncated: (channel: string, from: StreamPosition) => void;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: EventBusError) => void;
}

interface RoomEntry {
  readonly room: string;
  refs: number;
  presence: boolean;
  /** Replay recent events on the first join of the room (no position yet). */
  readonly rewind: RewindRequest | undefined;
  channel: string | undefined;
  /** Joined in the current session. */
  joined: boolean;
  /** Refused for good; not rejoined until joinRoom() is called again. */
  failed: boolean;
  attempt: number;
  waiters: Waiter[];
  /** Outgoing publishes waiting for this session's join to settle (see ready()). */
  ready: (() => void)[];
  /**
   * Presence events received while a join is in flight: the join's member snapshot may have been
   * read before some of them, so they are applied again on top of it (idempotent by connection).
   */
  pendingPresence: PresenceEvent[] | null;
  readonly members: RoomPresence;
  readonly retry: Timer;
}

export class Rooms {
  private readonly entries = new Map<string, RoomEntry>();
  private readonly byChannel = new Map<string, RoomEntry>();
  private session: Session | null = null;

  constructor(private readonly deps: RoomsDeps) {}

  join(room: string, presence = false, rewind?: RewindRequest): Promise<void> {
    try {
      assertRoomName(room);
    } catch (error) {
      const invalid = toEventBusError(error, "INVALID_ROOM");
      this.deps.store.patchRoom(room, { status: "failed", error: invalid });
      return Promise.reject(invalid);
    }
    let entry = this.entries.get(room);
    if (!entry) {
      entry = this.create(room, presence, rewind);
    } else if ((presence && !entry.presence) || entry.failed) {
      entry.presence ||= presence;
      entry.failed = false;
      entry.joined = false;
      this.deps.store.patchRoom(room, { status: "joining" });
      this.send(entry);
    }
    entry.refs++;
    if (entry.joined) return Promise.resolve();
    const waiting = entry;
    return new Promise((resolve, reject) => waiting.waiters.push({ resolve, reject }));
  }

  leave(room: string): void {
    const entry = this.entries.get(room);
    if (!entry) {
      this.deps.store.removeRoom(room); // a refused name's `failed` state
      return;
    }
    if (--entry.refs > 0) return;
    this.forget(entry);
    settle(entry, new EventBusError("CANCELLED", `Room "${room}" was left before the join completed.`));
    if (entry.joined && this.session) this.session.request("leave", { room }).catch(() => {});
    this.deps.store.removeRoom(room);
  }

  /** The room a channel belongs to, if the app holds it. */
  roomOf(channel: string): string | undefined {
    return this.byChannel.get(channel)?.room;
  }

  members(room: string): readonly Member[] {
    return this.entries.get(room)?.members.members() ?? [];
  }

  presence(event: PresenceEvent): void {
    const entry = this.entries.get(event.room);
    if (!entry) return;
    entry.pendingPresence?.push(event);
    if (entry.members.apply(event)) this.deps.store.setMembers(entry.room, entry.members.members());
  }

  /**
   * Resolves when a publish to `room` may go out: the room is not held, or its join in this
   * session has settled (joined or refused). A queued publish sent before its room's rejoin would
   * reach the relay before the socket is back in the room, and the sender would miss its own event.
   */
  ready(room: string): Promise<void> {
    const entry = this.entries.get(room);
    if (!entry || entry.joined || entry.failed || !this.session) return Promise.resolve();
    return new Promise((resolve) => entry.ready.push(resolve));
  }

  /** A session opened: join every room the app holds. */
  start(session: Session): void {
    this.session = session;
    for (const entry of this.entries.values()) if (!entry.failed) this.send(entry);
  }

  stop(): void {
    this.session = null;
    for (const entry of this.entries.values()) {
      entry.joined = false;
      entry.pendingPresence = null;
      release(entry);
      entry.retry.clear();
      if (!entry.failed) this.deps.store.patchRoom(entry.room, { status: "joining" });
    }
  }

  /**
   * The relay removed the socket from a room (a refreshed token no longer allows it): the room shows
   * `forbidden` with the coded error and is not joined again until joinRoom() is called again.
   */
  forbidden(room: string, error: EventBusError): void {
    const entry = this.entries.get(room);
    if (!entry) return;
    entry.failed = true;
    entry.joined = false;
    entry.retry.clear();
    release(entry);
    if (entry.channel !== undefined) this.deps.channels.drop(entry.channel);
    this.deps.store.patchRoom(room, { status: "forbidden", error });
    settle(entry, error);
    this.deps.error(error);
  }

  /**
   * The connection was refused (bad or expired token): every room the app holds shows `failed` with
   * the cause, and its pending joins reject with it. The intent is kept: the rooms are joined again
   * as soon as a connection opens (a new token, reconnect()).
   */
  suspend(error: EventBusError): void {
    for (const entry of this.entries.values()) {
      if (entry.failed) continue;
      this.deps.store.patchRoom(entry.room, { status: "failed", error });
      settle(entry, error);
    }
  }

  close(): void {
    this.stop();
    for (const entry of [...this.entries.values()]) {
      this.forget(entry);
      settle(entry, new EventBusError("CLOSED"));
    }
  }

  private create(room: string, presence: boolean, rewind: RewindRequest | undefined): RoomEntry {
    const entry: RoomEntry = {
      room,
      refs: 0,
      presence,
      rewind,
      channel: undefined,
      joined: false,
      failed: false,
      attempt: 0,
      waiters: [],
      ready: [],
      pendingPresence: null,
      members: new RoomPresence(),
      retry: createTimer(this.deps.clock),
    };
    this.entries.set(room, entry);
    this.deps.store.patchRoom(room, { status: "joining" });
    this.send(entry);
    return entry;
  }

  private forget(entry: RoomEntry): void {
    entry.retry.clear();
    release(entry);
    this.entries.delete(entry.room);
    if (entry.channel === undefined) return;
    this.byChannel.delete(entry.channel);
    this.deps.channels.drop(entry.channel);
  }

  private send(entry: RoomEntry): void {
    const session = this.session;
    if (!session?.active) return;
    const channel = this.deps.channelOf(entry.room);
    entry.channel = channel;
    this.byChannel.set(channel, entry);
    const since = this.deps.channels.position(channel);
    this.deps.channels.begin(channel);
    if (entry.presence) entry.pendingPresence = [];
    this.deps.store.patchRoom(entry.room, { status: "joining" });
    const rewind = since === undefined ? entry.rewind : undefined;
    const request = {
      room: entry.room,
      ...(since && { since }),
      ...(entry.presence && { presence: true }),
      ...(rewind && { rewind }),
    };
    session.request("join", request).then(
      (result) => {
        this.joined(entry, session, result).catch((error: unknown) =>
          this.deps.error(toEventBusError(error)),
        );
      },
      (error: unknown) => this.failed(entry, session, toEventBusError(error)),
    );
  }

  private async joined(entry: RoomEntry, session: Session, result: JoinResult): Promise<void> {
    if (!session.active) return;
    if (this.entries.get(entry.room) !== entry) {
      // Left while this join was in flight. If the room was joined again since, that newer join
      // owns the relay's membership: a leave now would undo it.
      if (!this.entries.has(entry.room)) session.request("leave", { room: entry.room }).catch(() => {});
      return;
    }
    if (result.members) {
      let changed = entry.members.reset(result.members);
      for (const event of entry.pendingPresence ?? []) changed = entry.members.apply(event) || changed;
      if (changed) this.deps.store.setMembers(entry.room, entry.members.members());
    }
    entry.pendingPresence = null;
    if (result.rewind?.truncated) this.deps.rewindTruncated(result.channel, result.rewind.from);
    this.deps.channels.synced(result);
    const settled = await this.deps.channels.settled(result.channel);
    if (!settled || !session.active || this.entries.get(entry.room) !== entry) return;
    entry.joined = true;
    entry.attempt = 0;
    this.deps.store.patchRoom(entry.room, { status: "joined", error: null });
    settle(entry);
    release(entry);
  }

  private failed(entry: RoomEntry, session: Session, error: EventBusError): void {
    if (!session.active || this.entries.get(entry.room) !== entry || error.code === "NOT_CONNECTED") return;
    this.deps.store.patchRoom(entry.room, { error });
    if (error.retryable) {
      entry.retry.set(this.deps.retryDelay(entry.attempt++), () => this.send(entry));
      return;
    }
    entry.failed = true;
    release(entry);
    this.deps.store.patchRoom(entry.room, { status: "failed" });
    if (entry.channel !== undefined) this.deps.channels.drop(entry.channel);
    settle(entry, error);
  }
}

/** Lets publishes waiting on this room's join go (joined, refused, left, or the session ended). */
function release(entry: RoomEntry): void {
  const ready = entry.ready;
  entry.ready = [];
  for (const go of ready) go();
}

function settle(entry: RoomEntry, error?: EventBusError): void {
  const waiters = entry.waiters;
  entry.waiters = [];
  for (const waiter of waiters) {
    if (error) waiter.reject(error);
    else waiter.resolve();
  }
}
