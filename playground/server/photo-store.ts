/**
 * The demo backend's photos, in memory: the uploaded bytes, the thumbnails, and each photo's
 * processing state — what the UI refetches after it is told of a gap.
 */
import type { Thumbnail } from "../shared/photo-events.js";
import type { ThumbnailSize } from "./thumbnails.js";

export type PhotoStatus = "uploaded" | "processing" | "completed" | "failed";

export interface PhotoState {
  readonly photoId: string;
  readonly ownerId: string;
  readonly filename: string;
  readonly size: number;
  readonly uploadedAt: string;
  status: PhotoStatus;
  progress: number;
  stage: string;
  thumbnails: Thumbnail[];
  error?: { code: string; message: string };
}

interface PhotoRecord {
  readonly state: PhotoState;
  readonly image: Buffer;
  readonly thumbnails: Map<ThumbnailSize, Buffer>;
}

export class PhotoStore {
  private readonly photos = new Map<string, PhotoRecord>();
  private counter = 0;

  /** Keeps at most `limit` photos (oldest dropped), so a long-running demo stays bounded. */
  constructor(private readonly limit = 200) {}

  add(ownerId: string, filename: string, image: Buffer): PhotoState {
    const photoId = `${ownerId}-${Date.now().toString(36)}-${(++this.counter).toString(36)}`;
    const state: PhotoState = {
      photoId,
      ownerId,
      filename,
      size: image.length,
      uploadedAt: new Date().toISOString(),
      status: "uploaded",
      progress: 0,
      stage: "uploaded",
      thumbnails: [],
    };
    this.photos.set(photoId, { state, image, thumbnails: new Map() });
    while (this.photos.size > this.limit) {
      const oldest = this.photos.keys().next().value;
      if (oldest === undefined) break;
      this.photos.delete(oldest);
    }
    return state;
  }

  get(photoId: string): PhotoState | undefined {
    return this.photos.get(photoId)?.state;
  }

  image(photoId: string): Buffer | undefined {
    return this.photos.get(photoId)?.image;
  }

  update(
    photoId: string,
    patch: Partial<Pick<PhotoState, "status" | "progress" | "stage" | "thumbnails" | "error">>,
  ) {
    const record = this.photos.get(photoId);
    if (record) Object.assign(record.state, patch);
  }

  setThumbnail(photoId: string, size: ThumbnailSize, bytes: Buffer): void {
    this.photos.get(photoId)?.thumbnails.set(size, bytes);
  }

  thumbnail(photoId: string, size: string): Buffer | undefined {
    return this.photos.get(photoId)?.thumbnails.get(size as ThumbnailSize);
  }

  /** Photos of one owner, newest first. */
  byOwner(ownerId: string): PhotoState[] {
    return [...this.photos.values()]
      .map((r) => r.state)
      .filter((s) => s.ownerId === ownerId)
      .reverse();
  }

  /** Completed photos of everyone, newest first: the public gallery. */
  gallery(limit = 20): PhotoState[] {
    return [...this.photos.values()]
      .map((r) => r.state)
      .filter((s) => s.status === "completed")
      .reverse()
      .slice(0, limit);
  }
}
