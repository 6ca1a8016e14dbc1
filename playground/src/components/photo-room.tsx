/**
 * The photo room panel: pick a finished photo — yours, or anyone's from the public gallery, which
 * stays live (a photo another user finishes appears at once) — and join its room.
 */
import { useId, useState } from "react";
import { type GalleryPhoto, mergeGallery, useGallery } from "../gallery.js";
import { sortedPhotos } from "../photos.js";
import { usePhotos } from "../photos-context.js";
import { Room } from "./room.js";

export function PhotoRoom({ getToken, userName }: { getToken: () => string; userName: string }) {
  const { photos } = usePhotos();
  const gallery = useGallery(getToken);
  const [photoId, setPhotoId] = useState<string>("");
  const selectId = useId();
  const mine: GalleryPhoto[] = sortedPhotos(photos).filter((p) => p.status === "completed");
  const choices = mergeGallery(mine, gallery);

  return (
    <section className="panel" aria-labelledby={`${selectId}-title`}>
      <h2 id={`${selectId}-title`}>Photo room</h2>
      <div className="row">
        <label htmlFor={selectId}>Photo</label>
        <select id={selectId} value={photoId} onChange={(e) => setPhotoId(e.currentTarget.value)}>
          <option value="">
            {choices.length === 0 ? "No finished photos yet…" : "Choose a finished photo…"}
          </option>
          {choices.map((p) => (
            <option key={p.photoId} value={p.photoId}>
              {p.filename || p.photoId} ({p.ownerId})
            </option>
          ))}
        </select>
      </div>
      {photoId ? (
        <Room key={photoId} photoId={photoId} userName={userName} />
      ) : (
        <p className="hint">Pick a photo to join its room.</p>
      )}
    </section>
  );
}
