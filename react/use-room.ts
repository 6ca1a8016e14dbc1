/**
 * useRoom(room, { enabled?, presence?, limit?, rewind? }) → { status, error, recovered, gap, gaps, members, events, last, publish }
 *
 * Selectors plus a hold: the hook holds the room while mounted (reference-counted in the client:
 * components on the same room share one join; the last to unmount leaves after the provider's
 * grace period) and reads everything else from the bus's store — status, join error, recovery,
 * last gap, members — with one selector per field, so a component re-renders for its own room only.
 * Only the list of the room's events is hook-local state.
 */
import { useCallback, useEffect, useMemo } from "react";
import { useStore } from "zustand/react";
import type {
  BusEvent,
  BusState,
  EventBus,
  EventBusError,
  EventMap,
  GapInfo,
  Member,
  RegisteredEvents,
  RoomHandle,
  RoomState,
} from "../client/index.js";
import { type Rewind, toRewindRequest } from "../protocol/rewind.js";
import { NO_MEMBERS, storeOf, useBusContext, useCurrentBus } from "./context.js";
import { DEFAULT_EVENT_LIMIT, type EventList, useEventList, useLatest } from "./hook-state.js";
import { checkHookOptions, USE_ROOM_KEYS } from "./option-keys.js";
import { holdRoom } from "./room-hold.js";
import { publishVia } from "./use-publish.js";

export interface UseRoomOptions {
  /** false: do not join (status "idle"). Default true. */
  readonly enabled?: boolean;
  /** Track this connection in the room's presence and receive `members`. Default false. */
  readonly presence?: boolean;
  /** How many of the room's events `events` keeps. Default 50; 0 keeps none (no re-render per event). */
  readonly limit?: number;
  /**
   * Replay the room's recent events when the bus first joins it: the last N (`50`) or those of a
   * span (`"2m"`). See JoinOptions.rewind. Read when the hook takes its hold.
   */
  readonly rewind?: Rewind;
}

/** "idle": this hook does not hold the room (disabled, or no bus yet); then the client's room status. */
export type RoomStatus = "idle" | RoomState["status"];

export interface UseRoomResult<E extends EventMap> extends EventList<BusEvent<E, "*">> {
  /** idle | joining | joined | failed (see `error`: refused, invalid name, or the connection's auth failure). */
  readonly status: RoomStatus;
  /** Why the join failed (status "failed"), or the last retryable refusal while joining. */
  readonly error: EventBusError | null;
  /** The last (re)join's recovery: null for a fresh join, true when nothing was missed, false after a gap. */
  readonly recovered: boolean | null;
  /** The room's last gap (history lost: refetch the room's state) since it was joined, or null. */
  readonly gap: GapInfo | null;
  /** How many gaps the room has had since it was joined. */
  readonly gaps: number;
  /** Members per user, with `presence: true` (else empty). The same array until it changes. */
  readonly members: readonly Member[];
  /** Publishes to this room (stable for a given room). */
  readonly publish: RoomHandle<E>["publish"];
}

export function useRoom<E extends EventMap = RegisteredEvents>(
  room: string,
  options: UseRoomOptions = {},
): UseRoomResult<E> {
  checkHookOptions("useRoom options", options, USE_ROOM_KEYS);
  const context = useBusContext("useRoom");
  const bus = useCurrentBus(context);
  const { enabled = true, presence = false, limit = DEFAULT_EVENT_LIMIT, rewind } = options;
  if (rewind !== undefined) toRewindRequest(rewind); // INVALID_OPTIONS during render, like unknown keys
  const limitRef = useLatest(limit);
  const store = storeOf(bus);
  const roomState = useStore(
    store,
    useCallback((s: BusState) => s.rooms[room], [room]),
  );
  const members = useStore(
    store,
    useCallback((s: BusState) => s.members[room] ?? NO_MEMBERS, [room]),
  );
  const source = useMemo(() => ({ bus, room }), [bus, room]);
  const [list, append] = useEventList<BusEvent<E, "*">>(source);
  const { gracePeriod } = context;
  const events = limit > 0;

  useEffect(() => {
    if (bus === null || !enabled) return;
    const hold = holdRoom(bus, source.room, { presence, gracePeriod, rewind });
    if (events) {
      hold.on("*", (event) => append(source, event as unknown as BusEvent<E, "*">, limitRef.current));
    }
    return () => hold.release();
  }, [bus, source, enabled, presence, gracePeriod, events, append, limitRef, rewind]);

  const publish = useCallback<UseRoomResult<E>["publish"]>(
    (type, data, publishOptions) =>
      publishVia(context.holder.get() as EventBus<E> | null, type, data, {
        room,
        ...(publishOptions?.traceId !== undefined && { traceId: publishOptions.traceId }),
      }),
    [context.holder, room],
  );

  // Not held (disabled, or no bus yet): idle, whatever other components hold.
  const held = enabled && bus !== null;
  const state = held ? roomState : undefined;
  return useMemo(
    () => ({
      status: state?.status ?? (held ? "joining" : "idle"),
      error: state?.error ?? null,
      recovered: state?.recovered ?? null,
      gap: state?.lastGap ?? null,
      gaps: state?.gaps ?? 0,
      members: held ? members : NO_MEMBERS,
      last: list.last,
      events: list.events,
      publish,
    }),
    [state, held, members, list, publish],
  );
}
