/**
 * A photo's room: who is watching (presence) and comments published from the browser. Comments
 * written while offline wait in the outbox and are sent, once each, when the connection returns.
 */
import { type FormEvent, useId, useState } from "react";
import type { PhotoEvents } from "../../shared/photo-events.js";
import { api, type PhotoState } from "../api.js";
import { useRoom } from "../bus.js";
import { sortedPhotos } from "../photos.js";
import { usePhotos } from "../photos-context.js";

export function PhotoRoom({ getToken, userName }: { getToken: () => string; userName: string }) {
  const { photos } = usePhotos();
  const [gallery, setGallery] = useState<PhotoState[]>([]);
  const [photoId, setPhotoId] = useState<string>("");
  const selectId = useId();
  const choices = dedupe([...sortedPhotos(photos).filter((p) => p.status === "completed"), ...gallery]);

  return (
    <section className="panel" aria-labelledby={`${selectId}-title`}>
      <h2 id={`${selectId}-title`}>Photo room</h2>
      <div className="row">
        <label htmlFor={selectId}>Photo</label>
        <select id={selectId} value={photoId} onChange={(e) => setPhotoId(e.currentTarget.value)}>
          <option value="">Choose a finished photo…</option>
          {choices.map((p) => (
            <option key={p.photoId} value={p.photoId}>
              {p.filename || p.photoId} ({p.ownerId})
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void api.gallery(getToken()).then(setGallery, () => {})}>
          Refresh gallery
        </button>
      </div>
      {photoId ? (
        <Room key={photoId} photoId={photoId} userName={userName} />
      ) : (
        <p className="hint">Pick a photo to join its room.</p>
      )}
    </section>
  );
}

function Room({ photoId, userName }: { photoId: string; userName: string }) {
  const room = useRoom(`photo:${photoId}`, { presence: true, limit: 200 });
  const [text, setText] = useState("");
  const [sending, setSending] = useState<{ key: number; text: string; error?: string }[]>([]);
  const inputId = useId();
  const comments = room.events.filter((e) => e.type === "comment.added");
  const watching = room.members.length;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    setText("");
    const key = Date.now() + Math.random();
    setSending((list) => [...list, { key, text: body }]);
    room.publish("comment.added", { photoId, text: body, author: userName }).then(
      () => setSending((list) => list.filter((s) => s.key !== key)),
      (error: unknown) =>
        setSending((list) =>
          list.map((s) =>
            s.key === key ? { ...s, error: error instanceof Error ? error.message : String(error) } : s,
          ),
        ),
    );
  };

  return (
    <div className="room" data-testid="photo-room">
      <p role="status" aria-live="polite" data-testid="presence">
        {room.status === "joined"
          ? `${watching} watching${watching > 0 ? `: ${room.members.map((m) => String(m.info?.name ?? m.userId)).join(", ")}` : ""}`
          : room.status === "failed"
            ? `Could not join: ${room.error?.message ?? "refused"}`
            : "Joining…"}
      </p>
      {room.gap && (
        <p className="hint">
          Some room events were lost while you were away; comments below may be incomplete.
        </p>
      )}
      <ul className="comments" aria-label="Comments" aria-live="polite">
        {comments.map((c) => (
          <li key={c.id} data-testid="comment">
            <strong>{(c.data as PhotoEvents["comment.added"]).author}:</strong>{" "}
            {(c.data as PhotoEvents["comment.added"]).text}
          </li>
        ))}
        {sending.map((s) => (
          <li key={s.key} className="sending" data-testid="comment-pending">
            {s.text} <em>{s.error ? `— not sent: ${s.error}` : "— sending…"}</em>
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

function dedupe(list: PhotoState[]): PhotoState[] {
  const seen = new Set<string>();
  return list.filter((p) => !seen.has(p.photoId) && seen.add(p.photoId));
}
