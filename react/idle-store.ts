/**
 * What hooks read while there is no bus (server render, before an owned bus exists): the bus's
 * initial state, as a store that never changes. Constants, so selectors keep their references.
 */
import type { BusState, Member, ReadonlyStore } from "../client/index.js";

export const IDLE_STATE: BusState = Object.freeze({
  status: "idle",
  error: null,
  pending: 0,
  userId: null,
  rooms: Object.freeze({}),
  members: Object.freeze({}),
});

export const IDLE_STORE: ReadonlyStore<BusState> = Object.freeze({
  getState: () => IDLE_STATE,
  getInitialState: () => IDLE_STATE,
  subscribe: () => () => {},
});

export const NO_MEMBERS: readonly Member[] = Object.freeze([]);
