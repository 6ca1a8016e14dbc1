/**
 * The playground's demo backend, as three "services" sharing one process: the photo API (HTTP,
 * under /api), the photo worker and the notification service — all on the backend library
 * (`@shared-infra/event-bus/server`), exactly as separate services would use it.
 *
 *   POST /api/sign-in { userId }                  demo-only token for a demo user
 *   GET  /api/users                               the demo users
 *   POST /api/photos/upload?filename=…            raw image bytes → { photoId } at once
 *   POST /api/photos/sample                       a generated sample image, same flow
 *   GET  /api/photos                              my photos (state to refetch after a gap)
 *   GET  /api/photos/gallery                      completed photos of everyone
 *   GET  /api/photos/:id                          one photo's state
 *   GET  /api/photos/:id/events                   the photo's stored events (audit, from the event store)
 *   GET  /api/photos/:id/thumbnails/:size         a thumbnail (JPEG)
 *   GET  /api/rooms/:room/recent?limit=50         a room's recent events, from the relay's history
 *   GET  /api/webhooks/log                        the demo webhook endpoint's delivery log (webhook-demo.ts)
 *   POST /api/admin/maintenance { message, scheduled? }  broadcast `system.maintenance` (admin role)
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EventBusClient } from "@shared-infra/event-bus/server";
import type { PlaygroundEvents } from "../shared/playground-events.js";
import type { DemoAuth } from "./demo-auth.js";
import { HttpError, readBody, readJson, sendBytes, sendJson } from "./http-util.js";
import type { PhotoStore } from "./photo-store.js";
import type { ReadRecentRoomEvents } from "./room-history.js";
import { generateSampleImage, probeImage } from "./thumbnails.js";
import type { WebhookLog } from "./webhook-demo.js";

const MAX_UPLOAD = 15 * 1024 * 1024;

export interface DemoBackendContext {
  readonly bus: EventBusClient<PlaygroundEvents>;
  readonly auth: DemoAuth;
  readonly store: PhotoStore;
  readonly recentRoomEvents: ReadRecentRoomEvents;
  /** The demo webhook endpoint's delivery log; absent when the demo runs without webhooks. */
  readonly webhookLog?: () => Promise<WebhookLog>;
}

/** Most events GET /api/rooms/:room/recent returns. */
const MAX_RECENT = 200;

export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** An HTTP handler for /api/*; resolves false for other paths. */
export function createApiHandler(ctx: DemoBackendContext): ApiHandler {
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith("/api/")) return false;
    try {
      await route(ctx, req, res, url);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) sendJson(res, status, { error: message });
      else res.end();
    }
    return true;
  };
}

async function route(
  ctx: DemoBackendContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { method } = req;
  const path = url.pathname;
  if (method === "POST" && path === "/api/sign-in") return signIn(ctx, req, res);
  if (method === "GET" && path === "/api/users") return sendJson(res, 200, { users: ctx.auth.users });
  // Thumbnails are public (an <img> sends no bearer token); photo ids are not guessable in practice.
  const thumb = /^\/api\/photos\/([^/]+)\/thumbnails\/(small|medium|large)$/.exec(path);
  if (method === "GET" && thumb)
    return thumbnail(ctx, res, decodeURIComponent(thumb[1] ?? ""), thumb[2] ?? "");
  const userId = await ctx.auth.verify(req.headers.authorization);
  if (!userId) throw new HttpError(401, "Sign in first (Authorization: Bearer <demo token>).");
  if (method === "POST" && path === "/api/photos/upload") {
    const filename = url.searchParams.get("filename")?.slice(0, 120) || "upload.jpg";
    return upload(ctx, res, userId, filename, await readBody(req, MAX_UPLOAD), req.headers["x-trace-id"]);
  }
  if (method === "POST" && path === "/api/photos/sample") {
    const image = await generateSampleImage(Math.random());
    return upload(
      ctx,
      res,
      userId,
      `sample-${Date.now().toString(36)}.jpg`,
      image,
      req.headers["x-trace-id"],
    );
  }
  if (method === "GET" && path === "/api/photos")
    return sendJson(res, 200, { photos: ctx.store.byOwner(userId) });
  if (method === "GET" && path === "/api/photos/gallery")
    return sendJson(res, 200, { photos: ctx.store.gallery() });
  const audit = /^\/api\/photos\/([^/]+)\/events$/.exec(path);
  if (method === "GET" && audit) return photoEvents(ctx, res, decodeURIComponent(audit[1] ?? ""));
  const one = /^\/api\/photos\/([^/]+)$/.exec(path);
  if (method === "GET" && one) {
    const photo = ctx.store.get(decodeURIComponent(one[1] ?? ""));
    if (!photo) throw new HttpError(404, "No such photo.");
    return sendJson(res, 200, { photo });
  }
  const recent = /^\/api\/rooms\/([^/]+)\/recent$/.exec(path);
  if (method === "GET" && recent) return recentInRoom(ctx, res, decodeURIComponent(recent[1] ?? ""), url);
  if (method === "POST" && path === "/api/admin/maintenance") return maintenance(ctx, req, res, userId);
  if (method === "GET" && path === "/api/webhooks/log") {
    if (!ctx.webhookLog) throw new HttpError(404, "Webhooks are not running in this playground.");
    return sendJson(res, 200, await ctx.webhookLog());
  }
  throw new HttpError(404, `No route for ${method} ${path}.`);
}

async function signIn(ctx: DemoBackendContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { userId } = await readJson(req);
  const session = typeof userId === "string" ? await ctx.auth.signIn(userId) : null;
  if (!session)
    throw new HttpError(400, `Unknown demo user; pick one of ${ctx.auth.users.map((u) => u.id).join(", ")}.`);
  sendJson(res, 200, session);
}

async function upload(
  ctx: DemoBackendContext,
  res: ServerResponse,
  userId: string,
  filename: string,
  image: Buffer,
  traceHeader: string | string[] | undefined,
): Promise<void> {
  try {
    await probeImage(image);
  } catch {
    throw new HttpError(
      415,
      "That file is not an image this demo can read (try JPEG, PNG, WebP, GIF or SVG).",
    );
  }
  const photo = ctx.store.add(userId, filename, image);
  const traceId = typeof traceHeader === "string" && traceHeader.length <= 128 ? traceHeader : undefined;
  sendJson(res, 202, { photoId: photo.photoId, filename, message: "Upload received - processing started" });
  await ctx.bus.publish(
    "photo.uploaded",
    { photoId: photo.photoId, userId, filename, size: image.length, uploadedAt: photo.uploadedAt },
    { userId, aggregateId: photo.photoId, ...(traceId && { traceId }) },
  );
}

async function photoEvents(ctx: DemoBackendContext, res: ServerResponse, photoId: string): Promise<void> {
  if (!ctx.store.get(photoId)) throw new HttpError(404, "No such photo.");
  const { events } = await ctx.bus.events.read({ aggregateId: photoId, limit: 200 });
  const rows = events.map((e) => ({
    id: e.id,
    type: e.type,
    channel: e.channel,
    source: e.metadata.source,
    timestamp: e.metadata.timestamp,
    data: e.data,
  }));
  sendJson(res, 200, { store: ctx.bus.events.storeKind, events: rows });
}

/** Demo tokens allow every `photo:*` room (demo-auth.ts), so any signed-in user may read one. */
async function recentInRoom(ctx: DemoBackendContext, res: ServerResponse, room: string, url: URL) {
  if (!/^photo:[A-Za-z0-9_-]{1,100}$/.test(room))
    throw new HttpError(400, "Rooms here are named photo:<photoId> (letters, digits, - and _).");
  const asked = Number(url.searchParams.get("limit") ?? 50);
  const limit = Number.isInteger(asked) && asked > 0 ? Math.min(asked, MAX_RECENT) : 50;
  sendJson(res, 200, await ctx.recentRoomEvents(room, limit));
}

function thumbnail(ctx: DemoBackendContext, res: ServerResponse, photoId: string, size: string): void {
  const bytes = ctx.store.thumbnail(photoId, size);
  if (!bytes) throw new HttpError(404, "No such thumbnail (yet).");
  sendBytes(res, "image/jpeg", bytes);
}

async function maintenance(
  ctx: DemoBackendContext,
  req: IncomingMessage,
  res: ServerResponse,
  userId: string,
) {
  const user = ctx.auth.users.find((u) => u.id === userId);
  if (!user?.roles.includes("admin"))
    throw new HttpError(403, "Only an admin may broadcast (sign in as Carol).");
  const { message, scheduled: asked } = await readJson(req);
  const text =
    typeof message === "string" && message.trim() ? message.trim().slice(0, 280) : "Routine maintenance";
  const scheduled = scheduledTime(asked);
  const result = await ctx.bus.broadcast("system.maintenance", {
    scheduled,
    duration: "30 minutes",
    message: text,
  });
  sendJson(res, 200, { id: result.id, offset: result.offset });
}

const MAX_SCHEDULE_AHEAD = 90 * 24 * 3600_000;

/** The maintenance start the admin chose (ISO 8601, within the next 90 days), or in 30 minutes. */
function scheduledTime(asked: unknown): string {
  if (asked === undefined || asked === "") return new Date(Date.now() + 30 * 60_000).toISOString();
  const time = typeof asked === "string" ? Date.parse(asked) : Number.NaN;
  const now = Date.now();
  if (Number.isNaN(time) || time < now - 60_000 || time > now + MAX_SCHEDULE_AHEAD)
    throw new HttpError(400, "scheduled must be an ISO 8601 time between now and 90 days ahead.");
  return new Date(time).toISOString();
}
