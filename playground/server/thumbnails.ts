/**
 * Real thumbnails for the demo worker: the uploaded image resized with sharp to three sizes
 * (JPEG), and sample images generated on demand for people without a photo at hand.
 */
import sharp from "sharp";

export type ThumbnailSize = "small" | "medium" | "large";

export const THUMBNAIL_WIDTHS: Readonly<Record<ThumbnailSize, number>> = {
  small: 96,
  medium: 240,
  large: 480,
};

export interface RenderedThumbnail {
  readonly size: ThumbnailSize;
  readonly width: number;
  readonly height: number;
  readonly bytes: Buffer;
}

/** Resizes one image to one thumbnail size; rejects when the bytes are not an image sharp can read. */
export async function renderThumbnail(image: Buffer, size: ThumbnailSize): Promise<RenderedThumbnail> {
  const { data, info } = await sharp(image)
    .rotate()
    .resize({ width: THUMBNAIL_WIDTHS[size], withoutEnlargement: false })
    .jpeg({ quality: 78 })
    .toBuffer({ resolveWithObject: true });
  return { size, width: info.width, height: info.height, bytes: data };
}

/** Reads width/height, proving the upload is an image before the pipeline starts. */
export async function probeImage(image: Buffer): Promise<{ width: number; height: number; format: string }> {
  const meta = await sharp(image).metadata();
  if (!meta.width || !meta.height || !meta.format) throw new Error("not an image");
  return { width: meta.width, height: meta.height, format: meta.format };
}

/** A colourful 800×600 sample photo: a gradient sky, a sun and hills, in a random palette. */
export async function generateSampleImage(seed: number): Promise<Buffer> {
  const hue = Math.floor(seed * 360) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
    <stop offset="0" stop-color="hsl(${hue},70%,55%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},80%,85%)"/>
  </linearGradient></defs>
  <rect width="800" height="600" fill="url(#sky)"/>
  <circle cx="${200 + Math.floor(seed * 400)}" cy="170" r="70" fill="hsl(${(hue + 180) % 360},90%,70%)"/>
  <path d="M0 420 Q 200 300 400 420 T 800 400 V600 H0Z" fill="hsl(${(hue + 120) % 360},45%,35%)"/>
  <path d="M0 500 Q 250 400 500 500 T 800 480 V600 H0Z" fill="hsl(${(hue + 140) % 360},50%,25%)"/>
</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}
