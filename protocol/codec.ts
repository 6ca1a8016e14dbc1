/**
 * Building, validating, serialising and parsing envelopes. Every envelope is validated before
 * anything is written, and serialised exactly once (`data` first, so its size is known without a
 * second pass).
 */
import { HINTS_INCLUDED } from "./build-mode.js";
import type { EventEnvelope, EventMetadata } from "./envelope.js";
import { EventBusError } from "./errors.js";
import { isSystemType } from "./frames.js";
import { createId, isEventId } from "./ids.js";
import {
  DEFAULT_LIMITS,
  type Limits,
  MAX_SOURCE_LENGTH,
  MAX_TRACE_ID_LENGTH,
  utf8ByteLength,
} from "./limits.js";
import { assertEventType, assertRoomName, assertUserId, describeValue, isRoomName } from "./names.js";
import { isStreamPosition, MESSAGE_ID_PREFIX, type StreamPosition } from "./position.js";
import { isIsoTime } from "./time.js";

export interface EnvelopeInput {
  readonly type: string;
  readonly data: unknown;
  readonly source: string;
  /** Defaults to a new UUIDv7. */
  readonly id?: string | undefined;
  /** Defaults to now. */
  readonly timestamp?: string | undefined;
  readonly traceId?: string | undefined;
  readonly userId?: string | undefined;
  readonly room?: string | undefined;
  readonly aggregateId?: string | undefined;
}

export interface EncodedEvent {
  readonly envelope: EventEnvelope;
  /** The envelope as JSON, ready to publish. */
  readonly json: string;
  /** UTF-8 size of `json`. */
  readonly bytes: number;
}

/** A message read from a channel: the envelope and, on recoverable channels, its position. */
export interface DecodedMessage {
  readonly envelope: EventEnvelope;
  readonly position: StreamPosition | undefined;
}

export interface CodecOptions {
  /** Accept system types (`$presence.join`, …); only the relay and the backend library set this. */
  readonly allowSystem?: boolean;
}

const SYSTEM_TYPE = /^\$[a-z]+(?:\.[a-z]+)*$/;

function assertType(type: unknown, options: CodecOptions): asserts type is string {
  if (options.allowSystem && isSystemType(type) && SYSTEM_TYPE.test(type as string)) return;
  assertEventType(type);
}

/** Validates the input, builds the envelope and serialises it once. Throws a coded EventBusError. */
export function encodeEvent(
  input: EnvelopeInput,
  limits: Limits = DEFAULT_LIMITS,
  options: CodecOptions = {},
): EncodedEvent {
  assertType(input.type, options);
  const metadata = buildMetadata(input);
  if (input.id !== undefined && !isEventId(input.id)) {
    throw invalidEvent(`id ${describeValue(input.id)} is not a UUID (RFC 9562) or ULID`);
  }
  const id = input.id ?? createId();
  const data = serialiseSized(input.data, limits);
  // id and type are ASCII by their formats, so only data and metadata need counting.
  const head = `${MESSAGE_ID_PREFIX}${id}","type":"${input.type}","data":`;
  const tail = `,"metadata":${JSON.stringify(metadata)}}`;
  const json = head + data.json + tail;
  const bytes = head.length + data.bytes + utf8ByteLength(tail);
  if (bytes > limits.maxEventBytes) throw tooLarge("event", bytes, limits.maxEventBytes);
  return { envelope: { id, type: input.type, data: input.data, metadata }, json, bytes };
}

/**
 * Parses and validates a message from a channel or from history (a JSON text, at most
 * `maxEventBytes` + 128 bytes). Throws a coded EventBusError.
 */
export function decodeMessage(
  raw: string,
  limits: Limits = DEFAULT_LIMITS,
  options: CodecOptions = {},
): DecodedMessage {
  const max = limits.maxEventBytes + 128;
  // A UTF-16 unit is at most 3 UTF-8 bytes: most messages are far below the limit uncounted.
  if (raw.length * 3 > max) {
    const bytes = utf8ByteLength(raw);
    if (bytes > max) throw tooLarge("event", bytes, limits.maxEventBytes);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw invalidEvent("the message is not valid JSON");
  }
  return decodeParsedMessage(value, limits, options);
}

/**
 * Validates a message that is already a parsed value: what a relay's `m` frame carries since
 * protocol 3 (socket.io-client parsed the packet; docs/protocol.md). The checks are those of
 * decodeMessage except the byte size, which a parsed value no longer has (the relay enforced it):
 * shape, id, type, names, metadata, position, and a walk of `data` that accepts only what JSON.parse
 * produces (plain objects, arrays, strings, finite numbers, booleans, null) nested at most
 * `maxDepth` deep. Throws a coded EventBusError.
 */
export function decodeParsedMessage(
  value: unknown,
  limits: Limits = DEFAULT_LIMITS,
  options: CodecOptions = {},
): DecodedMessage {
  const envelope = checkEnvelopeOf(value, limits, options, true);
  const { offset, epoch } = value as { offset?: unknown; epoch?: unknown };
  if (offset === undefined && epoch === undefined) return { envelope, position: undefined };
  const position = { offset, epoch };
  if (!isStreamPosition(position)) throw invalidEvent("offset/epoch are malformed");
  return { envelope, position };
}

/** Checks that a value is a well-formed envelope (shape, names, sizes, depth). */
export function checkEnvelope(
  value: unknown,
  limits: Limits = DEFAULT_LIMITS,
  options: CodecOptions = {},
): EventEnvelope {
  return checkEnvelopeOf(value, limits, options, false);
}

/** `parsed`: the value came from JSON.parse (or a structured clone of it), see checkParsedJson. */
function checkEnvelopeOf(
  value: unknown,
  limits: Limits,
  options: CodecOptions,
  parsed: boolean,
): EventEnvelope {
  if (!isPlainRecord(value)) throw invalidEvent("an envelope must be a JSON object");
  const { id, type, data, metadata } = value;
  if (!isEventId(id)) throw invalidEvent(`id ${describeValue(id)} is not a UUID (RFC 9562) or ULID`);
  assertType(type, options);
  if (data === undefined) throw invalidEvent("`data` is missing (use null for no data)");
  if (parsed) checkParsedJson(data, limits.maxDepth, "data");
  else checkJsonValue(data, limits.maxDepth, "data");
  if (!isPlainRecord(metadata)) throw invalidEvent("`metadata` must be an object");
  if (metadata.timestamp === undefined) throw invalidEvent("`metadata.timestamp` is missing");
  checkMetadata(metadata as Partial<EnvelopeInput>);
  return value as unknown as EventEnvelope;
}

/** Serialises `data` after checking it is plain JSON within the size and depth limits. */
export function serialiseData(data: unknown, limits: Limits = DEFAULT_LIMITS): string {
  return serialiseSized(data, limits).json;
}

function serialiseSized(data: unknown, limits: Limits): { json: string; bytes: number } {
  if (data === undefined) throw invalidEvent("`data` is missing (use null for no data)");
  const custom = checkJsonValue(data, limits.maxDepth, "data");
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw invalidEvent(
      `\`data\` could not be serialised (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (json === undefined) throw invalidEvent("`data` serialises to nothing (a toJSON returned undefined)");
  // What a toJSON returned was not checked above: check the JSON it produced, as a relay will.
  if (custom) checkJsonValue(JSON.parse(json), limits.maxDepth, "data");
  const bytes = utf8ByteLength(json);
  if (bytes > limits.maxDataBytes) throw tooLarge("data", bytes, limits.maxDataBytes);
  return { json, bytes };
}

function buildMetadata(input: Partial<EnvelopeInput>): EventMetadata {
  const { source, traceId, userId, room, aggregateId } = input;
  checkMetadata(input);
  const timestamp = input.timestamp ?? new Date().toISOString();
  const metadata: { -readonly [K in keyof EventMetadata]: EventMetadata[K] } = {
    source: source as string,
    timestamp,
  };
  if (traceId !== undefined) metadata.traceId = traceId;
  if (userId !== undefined) metadata.userId = userId;
  if (room !== undefined) metadata.room = room;
  if (aggregateId !== undefined) metadata.aggregateId = aggregateId;
  return metadata;
}

/** Checks metadata fields (a missing timestamp is allowed here: encodeEvent fills it in). */
function checkMetadata(input: Partial<EnvelopeInput>): void {
  const { source, timestamp, traceId, userId, room, aggregateId } = input;
  if (typeof source !== "string" || source.length === 0 || source.length > MAX_SOURCE_LENGTH) {
    throw invalidEvent(
      `metadata.source must be a non-empty string of at most ${MAX_SOURCE_LENGTH} characters`,
    );
  }
  if (timestamp !== undefined && !isIsoTime(timestamp)) {
    throw invalidEvent(`metadata.timestamp ${describeValue(timestamp)} is not an ISO 8601 time`);
  }
  if (traceId !== undefined && (typeof traceId !== "string" || traceId.length > MAX_TRACE_ID_LENGTH)) {
    throw invalidEvent(`metadata.traceId must be a string of at most ${MAX_TRACE_ID_LENGTH} characters`);
  }
  if (userId !== undefined) assertUserId(userId);
  if (room !== undefined) assertRoomName(room);
  if (aggregateId !== undefined && !isRoomName(aggregateId)) {
    throw invalidEvent(
      `metadata.aggregateId ${describeValue(aggregateId)} must be 1-128 characters from letters, digits and _ - . : @ = + | /`,
    );
  }
}

/**
 * Accepts what JSON can carry faithfully: null, booleans, finite numbers, strings, arrays and
 * plain objects (and objects with toJSON, such as Date). Rejects undefined inside arrays,
 * functions, symbols, bigints, NaN/Infinity, cycles and nesting deeper than `maxDepth`.
 * Returns whether an object with toJSON was met (what its toJSON returns is not checked here).
 */
function checkJsonValue(value: unknown, maxDepth: number, path: string): boolean {
  let custom = false;
  const seen = new Set<object>();
  const visit = (current: unknown, at: string, depth: number): void => {
    switch (typeof current) {
      case "string":
      case "boolean":
        return;
      case "number":
        if (!Number.isFinite(current)) throw invalidEvent(`${at} is ${current}, which JSON cannot carry`);
        return;
      case "object": {
        if (current === null) return;
        if (depth >= maxDepth) throw invalidEvent(`${path} is nested deeper than ${maxDepth} levels`);
        if (seen.has(current)) throw invalidEvent(`${at} refers back to itself (a cycle)`);
        const binary = binaryKind(current);
        if (binary !== undefined) throw binaryData(at, binary);
        if (typeof (current as { toJSON?: unknown }).toJSON === "function") {
          custom = true;
          return;
        }
        seen.add(current);
        if (Array.isArray(current)) {
          current.forEach((item, i) => {
            if (item === undefined) throw invalidEvent(`${at}[${i}] is undefined; use null`);
            visit(item, `${at}[${i}]`, depth + 1);
          });
        } else {
          for (const key of Object.keys(current)) {
            const item = (current as Record<string, unknown>)[key];
            if (item !== undefined) visit(item, `${at}.${key}`, depth + 1);
          }
        }
        seen.delete(current);
        return;
      }
      default:
        throw invalidEvent(`${at} is a ${typeof current}, which JSON cannot carry`);
    }
  };
  visit(value, path, 0);
  return custom;
}

/**
 * checkJsonValue for a value from JSON.parse (or a structured clone of one): such a value holds no
 * functions, symbols, bigints, undefined, toJSON or cycles a walk must look for, so only depth and
 * the kind of each object are checked — an object that is neither an array nor a plain object (an
 * ArrayBuffer or Blob that socket.io put in place of a binary attachment, a cloned Date or Map) is
 * refused, and so is a non-finite number or undefined in an array (possible in a clone). A cycle
 * (possible in a clone) is refused as too deep. No path strings are built unless something is wrong.
 */
function checkParsedJson(value: unknown, maxDepth: number, path: string): void {
  if (typeof value === "object" && value !== null) walkParsed(value, 0, maxDepth, path);
  else if (!isJsonScalar(value)) throw notJson(path, value);
}

function walkParsed(value: object, depth: number, maxDepth: number, path: string): void {
  if (depth >= maxDepth) throw invalidEvent(`${path} is nested deeper than ${maxDepth} levels`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "object" && item !== null) walkParsed(item, depth + 1, maxDepth, path);
      else if (!isJsonScalar(item)) throw notJson(path, item);
    }
    return;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const binary = binaryKind(value);
    if (binary !== undefined) throw binaryData(path, binary);
    throw invalidEvent(
      `${path} holds a ${value.constructor?.name ?? "non-plain"} object, which JSON cannot carry`,
    );
  }
  // for-in (no key array): a parsed object's keys are its own, and a plain object inherits none
  // unless an app made Object.prototype enumerable-polluted, which breaks for-in everywhere.
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === "object" && item !== null) walkParsed(item, depth + 1, maxDepth, path);
    else if (item !== undefined && !isJsonScalar(item)) throw notJson(path, item);
  }
}

/** null, a string, a boolean or a finite number. */
function isJsonScalar(value: unknown): boolean {
  const kind = typeof value;
  return (
    kind === "string" || kind === "boolean" || value === null || (kind === "number" && Number.isFinite(value))
  );
}

function notJson(path: string, value: unknown): EventBusError {
  const what = typeof value === "number" ? String(value) : `a ${typeof value}`;
  return invalidEvent(`${path} holds ${what}, which JSON cannot carry`);
}

/**
 * The kind of binary container a value is (Uint8Array, Buffer, any typed array, DataView,
 * ArrayBuffer, SharedArrayBuffer, Blob/File), or undefined. JSON would turn these into `{"0":1,…}`
 * or `{}` without a word, so they are refused instead.
 */
function binaryKind(value: object): string | undefined {
  const named = (fallback: string): string => value.constructor?.name || fallback;
  if (ArrayBuffer.isView(value)) return named("typed array");
  if (value instanceof ArrayBuffer) return "ArrayBuffer";
  const shared = (globalThis as { SharedArrayBuffer?: abstract new (...args: never[]) => object })
    .SharedArrayBuffer;
  if (shared !== undefined && value instanceof shared) return "SharedArrayBuffer";
  const blob = (globalThis as { Blob?: abstract new (...args: never[]) => object }).Blob;
  if (blob !== undefined && value instanceof blob) return named("Blob");
  return undefined;
}

function binaryData(at: string, kind: string): EventBusError {
  return new EventBusError(
    "INVALID_EVENT",
    `The event is malformed: ${at} is a ${kind}, binary data that JSON cannot carry.`,
    {
      // Left out of production browser bundles with the other hints (build-mode.ts).
      ...(HINTS_INCLUDED && {
        hint: "Send bytes as a base64 string (e.g. Buffer.from(bytes).toString('base64'), decoded on receipt), or better, upload them and send a URL or an id.",
      }),
      details: { path: at, kind },
    },
  );
}

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function invalidEvent(problem: string): EventBusError {
  return new EventBusError("INVALID_EVENT", `The event is malformed: ${problem}.`);
}

function tooLarge(what: "event" | "data", bytes: number, limit: number): EventBusError {
  return new EventBusError("TOO_LARGE", `The ${what} is ${bytes} bytes; the limit is ${limit} bytes.`, {
    details: { bytes, limit },
  });
}
