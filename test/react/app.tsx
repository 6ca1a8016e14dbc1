/**
 * A small app that uses every public hook, for the SSR and hydration tests.
 */
import type { ReactNode } from "react";
import type { PhotoEvents } from "../../playground/shared/photo-events.js";
import {
  createEventBusHooks,
  useConnection,
  useEventBus,
  useEventBusClient,
  useEventBusListener,
  usePublish,
  useRoom,
} from "../../react/index.js";

const photo = createEventBusHooks<PhotoEvents>();

export function EveryHook({ onGap }: { readonly onGap?: () => void }): ReactNode {
  const connection = useConnection();
  const room = useRoom<PhotoEvents>("photo:1", { presence: true });
  const progress = useEventBus<PhotoEvents, "photo.processing.progress">("photo.processing.progress");
  const notes = photo.useEventBus("notification.new", undefined, { room: "photo:1" });
  const publish = usePublish<PhotoEvents>();
  photo.usePublish();
  const bus = useEventBusClient<PhotoEvents>();
  useEventBusListener("gap", onGap);
  return (
    <main>
      <p>connection: {connection.status}</p>
      <p>pending: {connection.pending}</p>
      <p>room: {room.status}</p>
      <p>watching: {room.members.length}</p>
      <p>progress: {progress.last?.data.progress ?? "none"}</p>
      <p>notes: {notes.events.length}</p>
      <p>bus: {bus === null ? "not yet" : "ready"}</p>
      <button
        type="button"
        onClick={() => {
          publish("comment.added", { photoId: "1", text: "hi", author: "me" }, { room: "photo:1" }).catch(
            () => {},
          );
        }}
      >
        comment
      </button>
    </main>
  );
}
