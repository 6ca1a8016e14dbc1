/**
 * Shape checks for every client frame. Frames come from untrusted sockets: each field is checked
 * before use, unknown fields are ignored, and a bad frame becomes a coded error in the ack.
 */

import { isPlainRecord } from "../../../protocol/codec.js";
import { EventBusError } from "../../../protocol/errors.js";
import type {
  AuthRequest,
  HelloRequest,
  HistoryRequest,
  JoinRequest,
  LeaveRequest,
  PresenceRequest,
  PublishRequest,
} from "../../../protocol/frames.js";
import { MAX_HISTORY_PAGE } from "../../../protocol/frames.js";
import { isId } from "../../../protocol/ids.js";
import { MAX_TRACE_ID_LENGTH } from "../../../protocol/limits.js";
import { assertRoomName, describeValue } from "../../../protocol/names.js";
import { copyPosition, isStreamPosition, type StreamPosition } from "../../../protocol/position.js";
import {
  isRewindRequest,
  MAX_REWIND_COUNT,
  MAX_REWIND_MS,
  type RewindRequest,
} from "../../../protocol/rewind.js";

const MAX_SINCE_ENTRIES = 64;

export function invalidFrame(problem: string): EventBusError {
  return new EventBusError("INVALID_FRAME", `The frame is malformed: ${problem}.`);
}

function record(value: unknown, frame: string): Record<string, unknown> {
  if (!isPlainRecord(value)) throw invalidFrame(`\`${frame}\` expects an object`);
  return value;
}

function position(value: unknown, field: string): StreamPosition {
  if (!isStreamPosition(value)) {
    throw invalidFrame(`\`${field}\` must be { offset: non-negative integer, epoch: string, id?: event id }`);
  }
  return copyPosition(value);
}

function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  throw invalidFrame(`\`${field}\` must be a boolean`);
}

export function parseHello(value: unknown): HelloRequest {
  const frame = value === undefined || value === null ? {} : record(value, "hello");
  const { previous } = frame;
  if (previous !== undefined && (typeof previous !== "string" || previous.length > 64)) {
    throw invalidFrame("`previous` must be a connection id (a string of at most 64 characters)");
  }
  const withPrevious = previous === undefined ? {} : { previous };
  if (frame.since === undefined) return withPrevious;
  const since = record(frame.since, "hello.since");
  const entries = Object.entries(since);
  if (entries.length > MAX_SINCE_ENTRIES)
    throw invalidFrame(`\`since\` has more than ${MAX_SINCE_ENTRIES} entries`);
  const out: Record<string, StreamPosition> = {};
  for (const [channel, pos] of entries) out[channel] = position(pos, `since[${describeValue(channel)}]`);
  return { since: out, ...withPrevious };
}

export function parseJoin(value: unknown): JoinRequest {
  const frame = record(value, "join");
  assertRoomName(frame.room);
  const presence = optionalBoolean(frame.presence, "presence");
  return {
    room: frame.room,
    ...(frame.since !== undefined && { since: position(frame.since, "since") }),
    ...(presence !== undefined && { presence }),
    ...(frame.rewind !== undefined && { rewind: rewindOf(frame.rewind) }),
  };
}

function rewindOf(value: unknown): RewindRequest {
  if (isRewindRequest(value)) return value;
  throw invalidFrame(
    `\`rewind\` must be { count: 1…${MAX_REWIND_COUNT} } or { ms: 1…${MAX_REWIND_MS} }, got ${describeValue(value)}`,
  );
}

export function parseRoomOnly(value: unknown, name: "leave" | "presence"): LeaveRequest & PresenceRequest {
  const frame = record(value, name);
  assertRoomName(frame.room);
  return { room: frame.room };
}

export function parsePublish(value: unknown): PublishRequest {
  const frame = record(value, "publish");
  if (!isId(frame.id)) throw invalidFrame(`\`id\` ${describeValue(frame.id)} must be a lowercase UUIDv7`);
  if (typeof frame.type !== "string") throw invalidFrame("`type` must be a string");
  assertRoomName(frame.room);
  if (!("data" in frame) || frame.data === undefined)
    throw invalidFrame("`data` is missing (use null for no data)");
  const { traceId } = frame;
  if (traceId !== undefined && (typeof traceId !== "string" || traceId.length > MAX_TRACE_ID_LENGTH)) {
    throw invalidFrame(`\`traceId\` must be a string of at most ${MAX_TRACE_ID_LENGTH} characters`);
  }
  return {
    id: frame.id,
    type: frame.type,
    data: frame.data,
    room: frame.room,
    ...(traceId !== undefined && { traceId }),
  };
}

export function parseHistory(value: unknown): HistoryRequest {
  const frame = record(value, "history");
  if (typeof frame.channel !== "string" || frame.channel.length === 0 || frame.channel.length > 512) {
    throw new EventBusError(
      "INVALID_CHANNEL",
      `Channel ${describeValue(frame.channel)} is not a channel name.`,
    );
  }
  const { limit } = frame;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || (limit as number) < 1)) {
    throw invalidFrame(`\`limit\` must be a whole number from 1 to ${MAX_HISTORY_PAGE}`);
  }
  return {
    channel: frame.channel,
    since: position(frame.since, "since"),
    ...(limit !== undefined && { limit: Math.min(limit as number, MAX_HISTORY_PAGE) }),
  };
}

export function parseAuth(value: unknown): AuthRequest {
  const frame = record(value, "auth");
  if (typeof frame.token !== "string" || frame.token.length === 0) {
    throw new EventBusError("TOKEN_MISSING", "The `auth` frame carries no token.");
  }
  return { token: frame.token };
}
