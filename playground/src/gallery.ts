/**
 * The public gallery (everyone's finished photos) for the room picker: fetched once, then kept live
 * from `gallery.photo.added` broadcasts — and fetched again after a gap on the broadcast channel —
 * so a photo another user finishes can be picked at once, without a refresh.
 */
import { useEventBusListener } from "@shared-infra/event-bus/react";
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "./api.js";
import { useEventBus } from "./bus.js";

export interface GalleryPhoto {
  readonly photoId: string;
  readonly ownerId: string;
  readonly filename: string;
}

/** Newest first, each photo once. */
export function useGallery(getToken: () => string): readonly GalleryPhoto[] {
  const [photos, setPhotos] = useState<readonly GalleryPhoto[]>([]);
  const token = useRef(getToken);
  useEffect(() => {
    token.current = getToken;
  });
  const refetch = useCallback(() => {
    let active = true;
    api.gallery(token.current()).then(
      (list) => active && setPhotos((current) => mergeGallery(list.map(galleryPhoto), current)),
      () => {}, // the picker still shows the user's own photos; the next gap or mount tries again
    );
    return () => {
      active = false;
    };
  }, []);
  useEffect(refetch, [refetch]);
  useEventBusListener("gap", (gap) => {
    if (gap.channel.endsWith("broadcast")) refetch();
  });
  useEventBus(
    "gallery.photo.added",
    (event) => setPhotos((current) => mergeGallery([galleryPhoto(event.data)], current)),
    { limit: 0 },
  );
  return photos;
}

/** `first` before `then`, each photo id once. */
export function mergeGallery(
  first: readonly GalleryPhoto[],
  then: readonly GalleryPhoto[],
): readonly GalleryPhoto[] {
  const seen = new Set<string>();
  return [...first, ...then].filter((p) => !seen.has(p.photoId) && seen.add(p.photoId));
}

const galleryPhoto = ({ photoId, ownerId, filename }: GalleryPhoto): GalleryPhoto => ({
  photoId,
  ownerId,
  filename,
});
