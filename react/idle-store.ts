/**
 * What hooks read while there is no bus (server render, before an owned bus exists): the bus's
 * initial state, as a store that never changes. Constants, so selectors keep their references.
 */
import { type BusState, INITIAL_BUS_STATE, type Member, type ReadonlyStore } from "../client/index.js";

export const IDLE_STATE: BusState = INITIAL_BUS_STATE;

export const IDLE_STORE: ReadonlyStore<BusState> = Object.freeze({
  getState: () => IDLE_STATE,
  getInitialState: () => IDLE_STATE,
  subscribe: () => () => {},
});

export const NO_MEMBERS: readonly Member[] = Object.freeze([]);
