/**
 * What a `GET /events` request asks for, validated before anything is verified or subscribed:
 *   - the token: `Authorization: Bearer <jwt>`, or the `token` query parameter (EventSource cannot
 *     set headers; docs/relay.md weighs the trade-off). A header wins over the query.
 *   - rooms: `room=<name>` (repeatable) or `rooms=<a>,<b>`; names checked like a `join` frame's,
 *     at most `maxRoomsPerSocket`.
 *   - where to resume: the `Last-Event-ID` header (sent by a reconnecting EventSource), or the
 *     `lastEventId` query parameter (a new EventSource, e.g. made with a fresh token, cannot set the
 *     header). Decoded by protocol/sse.ts.
 * Every problem is a coded EventBusError; nothing here throws anything else.
 */
import type { IncomingMessage } from "node:http";
import { EventBusError } from "../../../protocol/errors.js";
import { isRoomName } from "../../../protocol/names.js";
import { decodeSseId, MAX_SSE_ID_LENGTH, type SsePositions } from "../../../protocol/sse.js";
import { MAX_TOKEN_LENGTH } from "../../auth/verify-token.js";

export interface SseRequest {
  readonly token: string;
  readonly rooms: readonly string[];
  readonly since: SsePositions;
}

/** Longest request target read (token, rooms and an id fit well within it). */
const MAX_URL_LENGTH = 64 * 1024;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function tokenOf(req: IncomingMessage, query: URLSearchParams): string {
  const authorization = header(req, "authorization");
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const token = bearer ?? query.get("token") ?? "";
  if (token.length === 0) {
    throw new EventBusError(
      "TOKEN_MISSING",
      "GET /events needs `Authorization: Bearer <jwt>` or `?token=<jwt>`.",
    );
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new EventBusError("TOKEN_INVALID", `The token is longer than ${MAX_TOKEN_LENGTH} characters.`);
  }
  return token;
}

function roomsOf(query: URLSearchParams, maxRooms: number): string[] {
  const listed = query.getAll("rooms").flatMap((list) => list.split(","));
  const rooms = [...new Set([...query.getAll("room"), ...listed].filter((room) => room !== ""))];
  if (rooms.length > maxRooms) {
    throw new EventBusError("TOO_MANY_ROOMS", `${rooms.length} rooms asked; a stream may hold ${maxRooms}.`);
  }
  for (const room of rooms) {
    if (isRoomName(room)) continue;
    throw new EventBusError(
      "INVALID_ROOM",
      `Room ${JSON.stringify(String(room).slice(0, 80))} is not a valid room name.`,
    );
  }
  return rooms;
}

export function parseSseRequest(req: IncomingMessage, maxRooms: number): SseRequest {
  const target = req.url ?? "/";
  if (target.length > MAX_URL_LENGTH) {
    throw new EventBusError("TOO_LARGE", `The request target is longer than ${MAX_URL_LENGTH} characters.`);
  }
  const query = new URL(target, "http://relay").searchParams;
  const lastId = header(req, "last-event-id") ?? query.get("lastEventId") ?? "";
  if (lastId.length > MAX_SSE_ID_LENGTH) {
    throw new EventBusError("TOO_LARGE", `Last-Event-ID is longer than ${MAX_SSE_ID_LENGTH} characters.`);
  }
  return {
    token: tokenOf(req, query),
    rooms: roomsOf(query, maxRooms),
    since: lastId === "" ? {} : decodeSseId(lastId),
  };
}
