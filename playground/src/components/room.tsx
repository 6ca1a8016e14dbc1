/**
 * One photo's room: who is watching (presence) and the comments — the room's recent ones on join
 * and after a reload (`useRoom(…, { rewind: RECENT_EVENTS })`: the relay replays them from its
 * history before live ones, once each, in order), then live ones. Comments written while offline wait in the outbox and are
 * sent, once each, when the connection returns; the room says so instead of "Joining…"/"sending…".
 */
import { type ConnectionStatus, useConnection } from "@shared-infra/event-bus/react";
import { type FormEvent, useId, useState } from "react";
import { useRoom } from "../bus.js";
import { RECENT_EVENTS, roomComments } from "../room-comments.js";

interface Pending {
  readonly key: number;
  readonly text: string;
  readonly error?: string;
}

export function Room({ photoId, userName }: { photoId: string; userName: string }) {
  const name = `photo:${photoId}`;
  const room = useRoom(name, { presence: true, limit: 200, rewind: RECENT_EVENTS });
  const connection = useConnection().status;
  const online = connection === "connected";
  const [text, setText] = useState("");
  const [pending, setPending] = useState<readonly Pending[]>([]);
  const inputId = useId();
  const comments = roomComments([], room.events);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    setText("");
    const key = Date.now() + Math.random();
    setPending((list) => [...list, { key, text: body }]);
    room.publish("comment.added", { photoId, text: body, author: userName }).then(
      () => setPending((list) => list.filter((s) => s.key !== key)),
      (error: unknown) =>
        setPending((list) =>
          list.map((s) =>
            s.key === key ? { ...s, error: error instanceof Error ? error.message : String(error) } : s,
          ),
        ),
    );
  };

  return (
    <div className="room" data-testid="photo-room">
      <p role="status" aria-live="polite" data-testid="presence">
        {presenceText(room, connection)}
      </p>
      {room.gap && (
        <p className="hint">
          Some room events were lost while you were away; comments below may be incomplete.
        </p>
      )}
      {room.gap?.rewind && (
        <p className="hint">Older comments are no longer kept; the recent ones are below.</p>
      )}
      <ul className="comments" aria-label="Comments" aria-live="polite">
        {comments.map((c) => (
          <li key={c.id} data-testid="comment">
            <strong>{c.author}:</strong> {c.text}
          </li>
        ))}
        {pending.map((s) => (
          <li key={s.key} className="sending" data-testid="comment-pending">
            {s.text} <em>— {pendingText(s, online)}</em>
          </li>
        ))}
      </ul>
      <form onSubmit={submit} className="row">
        <label htmlFor={inputId}>Comment</label>
        <input id={inputId} value={text} onChange={(e) => setText(e.currentTarget.value)} maxLength={500} />
        <button type="submit">Send</button>
      </form>
    </div>
  );
}

function presenceText(room: ReturnType<typeof useRoom>, connection: ConnectionStatus): string {
  if (room.status === "failed") return `Could not join: ${room.error?.message ?? "refused"}`;
  if (connection === "disconnected") return "Offline: you will rejoin this room when you are back online.";
  if (connection !== "connected")
    return "Reconnecting: you will rejoin this room when the connection returns.";
  if (room.status !== "joined") return "Joining…";
  const watching = room.members.length;
  const names = room.members.map((m) => String(m.info?.name ?? m.userId)).join(", ");
  return `${watching} watching${watching > 0 ? `: ${names}` : ""}`;
}

function pendingText(pending: Pending, online: boolean): string {
  if (pending.error) return `not sent: ${pending.error}`;
  return online ? "sending…" : "offline, will send on reconnect";
}
