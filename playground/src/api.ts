/** The demo backend's HTTP API (see playground/server/demo-backend.ts). */
import type { Thumbnail } from "../shared/photo-events.js";

export interface DemoUser {
  readonly id: string;
  readonly name: string;
  readonly color: string;
  readonly roles: readonly string[];
}

export interface Session {
  readonly token: string;
  readonly user: DemoUser;
  readonly expiresAt: number;
}

export type PhotoStatus = "uploaded" | "processing" | "completed" | "failed";

export interface PhotoState {
  readonly photoId: string;
  readonly ownerId: string;
  readonly filename: string;
  readonly size: number;
  readonly uploadedAt: string;
  readonly status: PhotoStatus;
  readonly progress: number;
  readonly stage: string;
  readonly thumbnails: readonly Thumbnail[];
  readonly error?: { readonly code: string; readonly message: string };
}

/** One stored event of a photo, as the audit view lists it. */
export interface AuditEvent {
  readonly id: string;
  readonly type: string;
  readonly channel: string;
  /** The service that published it (e.g. which photo-worker replica). */
  readonly source: string;
  readonly timestamp: string;
  readonly data: unknown;
}

/** An event from a room's history (GET /api/rooms/:room/recent), oldest first. */
export interface RecentRoomEvent {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly offset: number;
}

/** One webhook attempt in the delivery log (GET /api/webhooks/log). */
export interface WebhookAttemptView {
  readonly eventId: string;
  readonly eventType: string;
  readonly attempt: number;
  readonly status: number;
  readonly outcome: "delivered" | "retry" | "dead" | "disabled";
  readonly error?: string;
  readonly nextAttemptAt?: number;
  readonly durationMs: number;
  readonly at: number;
}

export interface WebhookLogView {
  readonly endpoint: string;
  readonly url: string;
  readonly attempts: readonly WebhookAttemptView[];
  readonly received: number;
  readonly stats?: { readonly breaker: string; readonly pending: number; readonly deadLetters: number };
}

async function call<T>(path: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  const response = await fetch(path, { ...init, headers });
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body as T;
}

export const api = {
  users: () => call<{ users: DemoUser[] }>("/api/users").then((r) => r.users),
  signIn: (userId: string) =>
    call<Session>("/api/sign-in", {
      method: "POST",
      body: JSON.stringify({ userId }),
      headers: { "content-type": "application/json" },
    }),
  upload: (token: string, file: File) =>
    call<{ photoId: string }>(`/api/photos/upload?filename=${encodeURIComponent(file.name)}`, {
      method: "POST",
      body: file,
      token,
      headers: { "content-type": file.type || "application/octet-stream" },
    }),
  sample: (token: string) =>
    call<{ photoId: string; filename: string }>("/api/photos/sample", { method: "POST", token }),
  myPhotos: (token: string) => call<{ photos: PhotoState[] }>("/api/photos", { token }).then((r) => r.photos),
  gallery: (token: string) =>
    call<{ photos: PhotoState[] }>("/api/photos/gallery", { token }).then((r) => r.photos),
  photoEvents: (token: string, photoId: string) =>
    call<{ store: string; events: AuditEvent[] }>(`/api/photos/${encodeURIComponent(photoId)}/events`, {
      token,
    }),
  recentInRoom: (token: string, room: string, limit: number) =>
    call<{ events: RecentRoomEvent[] }>(`/api/rooms/${encodeURIComponent(room)}/recent?limit=${limit}`, {
      token,
    }).then((r) => r.events),
  webhookLog: (token: string) => call<WebhookLogView>("/api/webhooks/log", { token }),
  /** `scheduled`: when the maintenance starts, ISO 8601. */
  maintenance: (token: string, message: string, scheduled: string) =>
    call<{ id: string }>("/api/admin/maintenance", {
      method: "POST",
      token,
      body: JSON.stringify({ message, scheduled }),
      headers: { "content-type": "application/json" },
    }),
};
