/**
 * The audit view: a photo's stored events, read back from the event store (GET
 * /api/photos/:id/events → bus.events.read({ aggregateId })) — every service's events about the
 * photo, in stored order, with the service that published each. The photo worker runs as two
 * replicas in one consumer group, so `source` shows which replica processed the photo.
 */
import { useId, useState } from "react";
import { type AuditEvent, api } from "../api.js";
import { sortedPhotos } from "../photos.js";
import { usePhotos } from "../photos-context.js";

export function AuditPanel({ getToken }: { getToken: () => string }) {
  const { photos } = usePhotos();
  const [photoId, setPhotoId] = useState("");
  const [result, setResult] = useState<{ store: string; events: readonly AuditEvent[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const selectId = useId();
  const load = (id: string) => {
    setError(null);
    api.photoEvents(getToken(), id).then(setResult, (e: unknown) => {
      setResult(null);
      setError(e instanceof Error ? e.message : String(e));
    });
  };
  return (
    <section className="panel" aria-labelledby={`${selectId}-title`} data-testid="audit-panel">
      <h2 id={`${selectId}-title`}>Audit: a photo's stored events</h2>
      <div className="row">
        <label htmlFor={selectId}>Audit photo</label>
        <select
          id={selectId}
          value={photoId ? `audit:${photoId}` : ""}
          onChange={(e) => setPhotoId(e.currentTarget.value.replace(/^audit:/, ""))}
        >
          <option value="">Choose one of my photos…</option>
          {sortedPhotos(photos).map((p) => (
            <option key={p.photoId} value={`audit:${p.photoId}`}>
              {p.filename || p.photoId} ({p.status})
            </option>
          ))}
        </select>
        <button type="button" disabled={!photoId} onClick={() => load(photoId)}>
          Show events
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      {result && <AuditTable store={result.store} events={result.events} />}
    </section>
  );
}

function AuditTable({ store, events }: { store: string; events: readonly AuditEvent[] }) {
  return (
    <>
      <p className="hint" data-testid="audit-summary">
        {events.length} stored event{events.length === 1 ? "" : "s"} ({store} store)
      </p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Type</th>
              <th scope="col">Published by</th>
              <th scope="col">Channel</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={`${e.channel}:${e.id}`} data-testid="audit-row">
                <td>{e.timestamp.slice(11, 23)}</td>
                <td>{e.type}</td>
                <td>{e.source}</td>
                <td>{e.channel}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
