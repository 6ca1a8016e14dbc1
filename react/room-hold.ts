/**
 * One hook's hold on a room: joins through the client (reference-counted, so two components share
 * one join at the relay), and on release removes its handlers at once but leaves the room only after
 * a grace period — StrictMode's unmount → remount and a route change that renders the same room
 * again take their new hold first, so the relay sees neither a leave nor a second join.
 */
import type { AnyEvents, BusEvent } from "../client/index.js";
import type { Rewind } from "../protocol/rewind.js";
import type { AnyBus } from "./bus-holder.js";

export interface RoomHold {
  /** Subscribes to this room's events only; removed by release(). */
  on(pattern: string, handler: (event: BusEvent<AnyEvents, string>) => void): void;
  /** Idempotent. */
  release(): void;
}

export interface RoomHoldOptions {
  readonly presence: boolean;
  readonly gracePeriod: number;
  /** Replay recent events on the bus's first join of the room (JoinOptions.rewind). */
  readonly rewind?: Rewind | undefined;
}

export function holdRoom(bus: AnyBus, room: string, options: RoomHoldOptions): RoomHold {
  const handle = bus.room(room, {
    ...(options.presence && { presence: true }),
    ...(options.rewind !== undefined && { rewind: options.rewind }),
  });
  const offs: (() => void)[] = [];
  let released = false;
  // A failed join is in the bus store (rooms[room].status/error), where hooks read it.
  handle.joined.catch(() => {});
  return {
    on(pattern, handler) {
      if (!released) offs.push(handle.on(pattern, handler));
    },
    release() {
      if (released) return;
      released = true;
      for (const off of offs.splice(0)) off();
      setTimeout(() => handle.leave(), options.gracePeriod);
    },
  };
}
