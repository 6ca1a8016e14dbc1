/** bus.room(name): a joined room as an object — its events, publishes, members, and leave(). */
import type { EventMap } from "../protocol/envelope.js";
import { optionKeysError, ROOM_PUBLISH_KEYS } from "./option-keys.js";
import type { PublishAck } from "./outbox-options.js";
import type { Member } from "./presence.js";
import type { BusState, ReadonlyStore } from "./store.js";
import type { RoomHandle } from "./types.js";

export interface RoomPort {
  join(): Promise<void>;
  leave(): void;
  subscribe(pattern: string, handler: (event: never) => void): () => void;
  publish(type: string, data: unknown, traceId: string | undefined): Promise<PublishAck>;
  members(): readonly Member[];
  readonly store: ReadonlyStore<BusState>;
}

const NO_MEMBERS: readonly Member[] = Object.freeze([]);

export function createRoomHandle<E extends EventMap>(port: RoomPort, name: string): RoomHandle<E> {
  const joined = port.join();
  joined.catch(() => {}); // the app may never await it; its rejection is still seen by those who do
  const cleanups = new Set<() => void>();
  let left = false;
  const track = (off: () => void): (() => void) => {
    if (left) {
      off();
      return () => {};
    }
    cleanups.add(off);
    return () => {
      cleanups.delete(off);
      off();
    };
  };
  return {
    name,
    joined,
    on: (pattern, handler) => track(port.subscribe(pattern, handler as (event: never) => void)),
    publish: (type, data, options) => {
      const invalid = optionKeysError("room.publish options", options, ROOM_PUBLISH_KEYS);
      return invalid ? Promise.reject(invalid) : port.publish(type, data, options?.traceId);
    },
    members: () => port.members(),
    onMembers: (listener) =>
      track(
        port.store.subscribe((state, previous) => {
          if (state.members[name] !== previous.members[name]) listener(state.members[name] ?? NO_MEMBERS);
        }),
      ),
    leave() {
      if (left) return;
      left = true;
      for (const off of cleanups) off();
      cleanups.clear();
      port.leave();
    },
  };
}
