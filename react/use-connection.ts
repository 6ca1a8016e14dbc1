/**
 * useConnection() → { status, previous, reason, error, pending, userId, reconnect(), disconnect(), connect() }
 *
 * The connection as the bus's store sees it, one primitive (or stable reference) per selector: a
 * component re-renders when one of these changes, not for events, rooms or presence.
 * `pending` is the number of publishes waiting in the offline outbox.
 */
import { useCallback, useMemo } from "react";
import { useStore } from "zustand/react";
import type { BusState, ConnectionStatus, EventBusError, StatusReason } from "../client/index.js";
import { storeOf, useBusContext, useCurrentBus } from "./context.js";

export interface UseConnectionResult {
  /** idle (no bus yet / not connected yet) | connecting | connected | reconnecting | disconnected | unauthorized */
  readonly status: ConnectionStatus;
  /** The status before the last change. */
  readonly previous: ConnectionStatus;
  /** Why the status last changed: `{ code, message }` — e.g. SLOW_CONSUMER, TOKEN_EXPIRED, CONNECTED. */
  readonly reason: StatusReason;
  /** Why the last connection ended (corrected when the relay says it cut it, e.g. SLOW_CONSUMER), or null. */
  readonly disconnectReason: StatusReason | null;
  /** The last connection-level error, cleared once connected. */
  readonly error: EventBusError | null;
  /** Publishes waiting in the outbox (not yet acknowledged by the relay). */
  readonly pending: number;
  /** The authenticated user id (after the first connection), or null. */
  readonly userId: string | null;
  /** Reconnects now (also retries after `unauthorized`); connects a bus that was disconnected. */
  readonly reconnect: () => void;
  /** Closes the connection and stays offline until reconnect()/connect(); rooms and the outbox are kept. */
  readonly disconnect: () => void;
  readonly connect: () => void;
}

const selectStatus = (s: BusState): ConnectionStatus => s.status;
const selectPrevious = (s: BusState): ConnectionStatus => s.previousStatus;
const selectReason = (s: BusState): StatusReason => s.statusReason;
const selectDisconnectReason = (s: BusState): StatusReason | null => s.disconnectReason;
const selectError = (s: BusState): EventBusError | null => s.error;
const selectPending = (s: BusState): number => s.pending;
const selectUserId = (s: BusState): string | null => s.userId;

export function useConnection(): UseConnectionResult {
  const context = useBusContext("useConnection");
  const bus = useCurrentBus(context);
  const store = storeOf(bus);
  const status = useStore(store, selectStatus);
  const previous = useStore(store, selectPrevious);
  const reason = useStore(store, selectReason);
  const disconnectReason = useStore(store, selectDisconnectReason);
  const error = useStore(store, selectError);
  const pending = useStore(store, selectPending);
  const userId = useStore(store, selectUserId);
  const { holder } = context;
  const reconnect = useCallback(() => holder.get()?.reconnect(), [holder]);
  const disconnect = useCallback(() => holder.get()?.disconnect(), [holder]);
  const connect = useCallback(() => holder.get()?.connect(), [holder]);
  return useMemo(
    () => ({
      status,
      previous,
      reason,
      disconnectReason,
      error,
      pending,
      userId,
      reconnect,
      disconnect,
      connect,
    }),
    [status, previous, reason, disconnectReason, error, pending, userId, reconnect, disconnect, connect],
  );
}
