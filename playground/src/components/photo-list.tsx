/**
 * One card per photo: a live progress bar and stage, on completion its three thumbnails (each
 * shown at 40 % of its real size, so small, medium and large look it, with its pixel size), the
 * error on failure. A thumbnail whose download failed (the network went away as it loaded) is
 * fetched again once the bus is connected again.
 */
import { useConnection } from "@shared-infra/event-bus/react";
import { useEffect, useState } from "react";
import type { PhotoState } from "../api.js";
import { sortedPhotos } from "../photos.js";
import { usePhotos } from "../photos-context.js";

/** Thumbnails are drawn at this share of their pixel size (large: 480 px → 192 px). */
const THUMB_SCALE = 0.4;

export function PhotoList() {
  const { photos, lastRefetch } = usePhotos();
  const list = sortedPhotos(photos);
  return (
    <section className="panel" aria-labelledby="photos-title">
      <h2 id="photos-title">My photos</h2>
      {lastRefetch && <p className="hint">State refreshed from the server at {lastRefetch}.</p>}
      {list.length === 0 ? (
        <p className="hint">No photos yet — upload one or generate a sample.</p>
      ) : (
        <ul className="cards">
          {list.map((photo) => (
            <PhotoCard key={photo.photoId} photo={photo} />
          ))}
        </ul>
      )}
    </section>
  );
}

function PhotoCard({ photo }: { photo: PhotoState }) {
  const label = `${photo.filename || photo.photoId} processing`;
  return (
    <li className={`card card-${photo.status}`} data-testid="photo-card" data-photo-id={photo.photoId}>
      <div className="card-title">
        <strong>{photo.filename || photo.photoId}</strong>
        <span className="stage" data-testid="photo-stage">
          {photo.status === "completed" ? "Done" : photo.status === "failed" ? "Failed" : photo.stage}
        </span>
      </div>
      <progress max={100} value={photo.progress} aria-label={label} data-testid="photo-progress">
        {photo.progress}%
      </progress>
      <span className="percent" aria-hidden="true">
        {photo.progress}%
      </span>
      {photo.status === "completed" && (
        <div className="thumbs" data-testid="thumbnails">
          {photo.thumbnails.map((t) => (
            <figure key={t.size} className={`thumb thumb-${t.size}`} data-size={t.size}>
              <Thumbnail
                url={t.url}
                alt={`${photo.filename || "photo"} — ${t.size} thumbnail`}
                width={Math.round(t.width * THUMB_SCALE) || undefined}
                height={Math.round(t.height * THUMB_SCALE) || undefined}
              />
              <figcaption>
                {t.size}
                {t.width > 0 && ` · ${t.width}×${t.height}`}
              </figcaption>
            </figure>
          ))}
        </div>
      )}
      {photo.status === "failed" && photo.error && (
        <p className="error" data-testid="photo-error">
          {photo.error.message}
        </p>
      )}
      <p className="hint">Room: photo:{photo.photoId}</p>
    </li>
  );
}

/** Retries a failed image when the browser is online and the bus connected again, a few times at most. */
const MAX_IMAGE_RETRIES = 5;

function Thumbnail(props: {
  url: string;
  alt: string;
  width: number | undefined;
  height: number | undefined;
}) {
  const { status } = useConnection();
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!failed || attempt >= MAX_IMAGE_RETRIES) return;
    const retry = () => {
      setFailed(false);
      setAttempt((n) => n + 1);
    };
    if (navigator.onLine && status === "connected") return retry();
    window.addEventListener("online", retry, { once: true });
    return () => window.removeEventListener("online", retry);
  }, [failed, status, attempt]);
  return (
    <img
      key={attempt}
      src={props.url}
      alt={props.alt}
      width={props.width}
      height={props.height}
      loading="lazy"
      onError={() => setFailed(true)}
    />
  );
}
