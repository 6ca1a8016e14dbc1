/**
 * What the wire contract does with input the seed documents and other languages produce:
 * binary data (refused with INVALID_EVENT and a hint, never turned into `{"0":1,…}`), ids of
 * other platforms (any RFC 9562 UUID or a ULID, either case), and subscription patterns that can
 * never match an event type (a room name such as seed 001's "photo:123", an unclosed class).
 */
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeEvent, serialiseData } from "../../../protocol/codec.js";
import { type EventBusError, isEventBusError } from "../../../protocol/errors.js";
import { createId, isEventId } from "../../../protocol/ids.js";
import { assertTypePattern, roomOfPattern, typePatternProblem } from "../../../protocol/names.js";

function failure(action: () => unknown): EventBusError {
  try {
    action();
  } catch (error) {
    if (isEventBusError(error)) return error;
    throw error;
  }
  throw new Error("expected an EventBusError");
}

const input = { type: "photo.uploaded", source: "photo-api" };

describe("binary data", () => {
  const cases: [string, unknown][] = [
    ["Uint8Array", new Uint8Array([1, 2, 3])],
    ["Buffer", Buffer.from("hi")],
    ["ArrayBuffer", new ArrayBuffer(4)],
    ["DataView", new DataView(new ArrayBuffer(4))],
    ["Float32Array", new Float32Array(2)],
    ["SharedArrayBuffer", new SharedArrayBuffer(4)],
    ["Blob", new Blob(["hi"])],
  ];

  it.each(cases)("a %s in data is refused with INVALID_EVENT and a hint (base64 or a URL)", (kind, bytes) => {
    for (const data of [bytes, { photoId: "p", file: bytes }, { list: [1, bytes] }]) {
      const error = failure(() => encodeEvent({ ...input, data }));
      expect(error.code).toBe("INVALID_EVENT");
      expect(error.message).toContain(kind);
      expect(error.hint).toMatch(/base64/);
      expect(error.hint).toMatch(/URL/);
    }
    expect(failure(() => serialiseData({ bytes })).code).toBe("INVALID_EVENT");
  });

  it("plain JSON, dates and numbers arrays are still fine", () => {
    const { json } = encodeEvent({ ...input, data: { at: new Date(0), sizes: [1, 2], b64: "AQID" } });
    expect(json).toContain('"at":"1970-01-01T00:00:00.000Z"');
  });
});

describe("event ids from other languages", () => {
  const accepted = [
    ["UUIDv7 (ours)", createId()],
    ["UUIDv4 (Python uuid4, Go uuid.New)", "f47ac10b-58cc-4372-a567-0e02b2c3d479"],
    ["UUIDv4 in upper case (Swift, .NET)", "F47AC10B-58CC-4372-A567-0E02B2C3D479"],
    ["UUIDv1", "c232ab00-9414-11ec-b3c8-9f6bdeced846"],
    ["UUIDv6", "1ec9414c-232a-6b00-b3c8-9f6bdeced846"],
    ["UUIDv8", "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0"],
    ["ULID", "01ARZ3NDEKTSV4RRFFQ69G5FAV"],
    ["ULID in lower case", "01arz3ndektsv4rrffq69g5fav"],
  ];
  const refused = [
    ["the nil UUID", "00000000-0000-0000-0000-000000000000"],
    ["the max UUID", "ffffffff-ffff-ffff-ffff-ffffffffffff"],
    ["a UUID of another variant", "f47ac10b-58cc-4372-c567-0e02b2c3d479"],
    ["a UUID without dashes", "f47ac10b58cc4372a5670e02b2c3d479"],
    ["a ULID beyond the 48-bit time", "81ARZ3NDEKTSV4RRFFQ69G5FAV"],
    ["a ULID with a U", "01ARZ3NDEKTSV4RRFFQ69G5FAU"],
    ["a number", "12345"],
  ];

  it.each(accepted)("accepts %s, from a raw publisher and from encodeEvent", (_, id) => {
    expect(isEventId(id)).toBe(true);
    const raw = JSON.stringify({
      id,
      type: "photo.uploaded",
      data: {},
      metadata: { source: "py", timestamp: "2025-01-02T03:04:05Z" },
    });
    expect(decodeMessage(raw).envelope.id).toBe(id);
    expect(encodeEvent({ ...input, data: {}, id }).envelope.id).toBe(id);
  });

  it.each(refused)("refuses %s with INVALID_EVENT", (_, id) => {
    expect(isEventId(id)).toBe(false);
    const raw = JSON.stringify({
      id,
      type: "photo.uploaded",
      data: {},
      metadata: { source: "py", timestamp: "2025-01-02T03:04:05Z" },
    });
    const error = failure(() => decodeMessage(raw));
    expect(error.code).toBe("INVALID_EVENT");
    expect(error.message).toContain("UUID (RFC 9562) or ULID");
  });

  it("our own ids stay UUIDv7", () => {
    expect(encodeEvent({ ...input, data: null }).envelope.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });
});

describe("patterns that can never match an event type", () => {
  const hint = (pattern: string) => `use room ${roomOfPattern(pattern) ?? "?"}`;

  it.each([
    ["photo:123", /":" never occurs in an event type/],
    ["room:photo:*", /":" never occurs/],
    ["[abc", /class "\[" at position 0 is never closed/],
    ["photo.[a-z", /class "\[" at position 6 is never closed/],
    ["photo.\\", /lone "\\"/],
    ["photo uploaded", /" " never occurs/],
    ["$presence.*", /"\$" never occurs/],
    ["photo.\\*", /"\*" never occurs/],
    [`${"a".repeat(129)}*`, /more than 128 characters/],
  ])("%s is refused with INVALID_PATTERN saying why", (pattern, why) => {
    expect(typePatternProblem(pattern)).toMatch(why);
    const error = failure(() => assertTypePattern(pattern, hint));
    expect(error.code).toBe("INVALID_PATTERN");
    expect(error.message).toMatch(why);
  });

  it("a pattern naming a room gets the caller's hint, with the room", () => {
    expect(failure(() => assertTypePattern("photo:123", hint)).hint).toBe("use room photo:123");
    expect(failure(() => assertTypePattern("room:lobby", hint)).hint).toBe("use room lobby");
    expect(failure(() => assertTypePattern("[abc", hint)).hint).not.toContain("use room");
  });

  it.each(["photo.*", "photo.processing.?ompleted", "[bp]atch.*", "*", "photo.\\-x", "*.completed", "[:]x"])(
    "%s can match and is accepted",
    (pattern) => {
      expect(typePatternProblem(pattern)).toBeUndefined();
      expect(() => assertTypePattern(pattern, hint)).not.toThrow();
    },
  );
});
