/**
 * The bus's observable state, as a zustand vanilla store: what the React bindings (and any UI)
 * read with selectors. The bus is its only writer; `bus.store` exposes the read-only half.
 * Updates replace only what changed, so selectors of untouched slices keep their references.
 */
import { createStore, type StoreApi } from "zustand/vanilla";
import type { EventBusError } from "../protocol/errors.js";
import { type ConnectionStatus, INITIAL_REASON, type StatusReason } from "./connection-state.js";
import type { Member } from "./presence.js";
import type { GapInfo } from "./types.js";

export interface RoomState {
  /**
   * `joining` until the relay confirmed the join and its recovery (again after each reconnect);
   * `failed` when the relay refused it for good (see `error`; joinRoom() again to retry);
   * `forbidden` when the relay removed the socket from it because a refreshed token no longer allows
   * it (not joined again on reconnect; joinRoom() again to retry).
   */
  readonly status: "joining" | "joined" | "failed" | "forbidden";
  /** Result of the last rejoin's recovery: null for a fresh join, true, or false (a gap). */
  readonly recovered: boolean | null;
  /** How many gaps (`recovered: false`, lost history) this room has had since it was joined. */
  readonly gaps: number;
  /** Why the last join attempt failed (retryable errors are retried), or null. */
  readonly error: EventBusError | null;
  /** The room's last gap (history lost: refetch its state) since it was joined, or null. */
  readonly lastGap: GapInfo | null;
}

export interface BusState {
  readonly status: ConnectionStatus;
  /** The status before the last change. */
  readonly previousStatus: ConnectionStatus;
  /** Why the status last changed: `{ code, message }` (an error code, or CONNECT_CALLED, CONNECTED, …). */
  readonly statusReason: StatusReason;
  /**
   * Why the last connection ended, or null: the reason at the time (a notice, a lost transport),
   * corrected once the relay says on the next connection that it cut it (SLOW_CONSUMER, …).
   */
  readonly disconnectReason: StatusReason | null;
  /** The last connection-level error (cleared once connected). */
  readonly error: EventBusError | null;
  /** Publishes waiting in the outbox (not yet acknowledged by the relay). */
  readonly pending: number;
  /** The user id from the last `hello`, or null before the first connection. */
  readonly userId: string | null;
  /** Rooms this bus has joined (intent), by room name. */
  readonly rooms: Readonly<Record<string, RoomState>>;
  /** Members of rooms joined with `presence: true`, by room name. */
  readonly members: Readonly<Record<string, readonly Member[]>>;
}

/** The read-only store API (what zustand's `useStore` needs). */
export type ReadonlyStore<T> = Pick<StoreApi<T>, "getState" | "getInitialState" | "subscribe">;

export const INITIAL_BUS_STATE: BusState = Object.freeze({
  status: "idle",
  previousStatus: "idle",
  statusReason: INITIAL_REASON,
  disconnectReason: null,
  error: null,
  pending: 0,
  userId: null,
  rooms: Object.freeze({}),
  members: Object.freeze({}),
});

export const NEW_ROOM: RoomState = Object.freeze({
  status: "joining",
  recovered: null,
  gaps: 0,
  error: null,
  lastGap: null,
});

export interface BusStore extends ReadonlyStore<BusState> {
  set(patch: Partial<BusState>): void;
  patchRoom(room: string, patch: Partial<RoomState>): void;
  removeRoom(room: string): void;
  setMembers(room: string, members: readonly Member[]): void;
}

export function createBusStore(): BusStore {
  const store = createStore<BusState>()(() => INITIAL_BUS_STATE);
  const { getState, setState } = store;
  return {
    getState,
    getInitialState: store.getInitialState,
    subscribe: store.subscribe,
    set(patch) {
      const state = getState();
      if ((Object.keys(patch) as (keyof BusState)[]).some((key) => state[key] !== patch[key]))
        setState(patch);
    },
    patchRoom(room, patch) {
      const rooms = getState().rooms;
      const current = rooms[room] ?? NEW_ROOM;
      const next = { ...current, ...patch };
      if (
        (Object.keys(next) as (keyof RoomState)[]).every((key) => next[key] === current[key]) &&
        rooms[room]
      ) {
        return;
      }
      setState({ rooms: { ...rooms, [room]: next } });
    },
    removeRoom(room) {
      const { rooms, members } = getState();
      if (!(room in rooms) && !(room in members)) return;
      const { [room]: _room, ...restRooms } = rooms;
      const { [room]: _members, ...restMembers } = members;
      setState({ rooms: restRooms, members: restMembers });
    },
    setMembers(room, list) {
      const members = getState().members;
      if (members[room] !== list) setState({ members: { ...members, [room]: list } });
    },
  };
}
