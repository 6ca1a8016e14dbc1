/**
 * Protocol 3: a live `m` frame's message arrives parsed, and decodeParsedMessage validates it with
 * the checks of decodeMessage (shape, id, type, names, metadata, position, depth) minus the byte
 * size. Also the hand-written id and timestamp checks against the regular expressions they replace.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMessage, decodeParsedMessage, encodeEvent } from "../../../protocol/codec.js";
import { EventBusError } from "../../../protocol/errors.js";
import { isEventId } from "../../../protocol/ids.js";
import { isEventType } from "../../../protocol/names.js";
import { isStreamPosition, withPosition } from "../../../protocol/position.js";
import { isIsoTime } from "../../../protocol/time.js";

const { json } = encodeEvent({
  type: "photo.uploaded",
  data: { photoId: "p1", n: [1, null, true] },
  source: "api",
});
const message = withPosition(json, { offset: 7, epoch: "e1" });
const parsed = (): Record<string, unknown> => JSON.parse(message) as Record<string, unknown>;

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof EventBusError ? error.code : `not an EventBusError: ${String(error)}`;
  }
  return undefined;
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { v: value };
  return value;
}

describe("decodeParsedMessage", () => {
  it("reads what decodeMessage reads, from the parsed value", () => {
    expect(decodeParsedMessage(parsed())).toEqual(decodeMessage(message));
    expect(decodeParsedMessage({ ...parsed(), data: null }).envelope.data).toBeNull();
    expect(decodeParsedMessage(JSON.parse(json)).position).toBeUndefined();
  });

  it("refuses what is not an envelope, with a code", () => {
    const cases: [unknown, string][] = [
      [message, "INVALID_EVENT"], // a JSON text is not the version-3 shape
      [null, "INVALID_EVENT"],
      [[parsed()], "INVALID_EVENT"],
      [{ ...parsed(), id: "nope" }, "INVALID_EVENT"],
      [{ ...parsed(), type: "Not A Type" }, "INVALID_TYPE"],
      [{ ...parsed(), type: "$presence.join" }, "INVALID_TYPE"],
      [{ ...parsed(), data: undefined }, "INVALID_EVENT"],
      [{ ...parsed(), metadata: "x" }, "INVALID_EVENT"],
      [{ ...parsed(), metadata: { source: "api" } }, "INVALID_EVENT"],
      [{ ...parsed(), metadata: { source: "api", timestamp: "yesterday" } }, "INVALID_EVENT"],
      [{ ...parsed(), metadata: { source: "", timestamp: "2026-01-01T00:00:00Z" } }, "INVALID_EVENT"],
      [
        { ...parsed(), metadata: { source: "a", timestamp: "2026-01-01T00:00:00Z", room: "a b" } },
        "INVALID_ROOM",
      ],
      [{ ...parsed(), offset: -1 }, "INVALID_EVENT"],
      [{ ...parsed(), epoch: 5 }, "INVALID_EVENT"],
    ];
    for (const [value, code] of cases)
      expect(
        codeOf(() => decodeParsedMessage(value)),
        JSON.stringify(value),
      ).toBe(code);
  });

  it("bounds the depth of data like decodeMessage does", () => {
    const limits = { maxEventBytes: 1 << 20, maxDataBytes: 1 << 19, maxDepth: 8 };
    const fits = { ...parsed(), data: nested(8) };
    const deep = { ...parsed(), data: nested(9) };
    expect(codeOf(() => decodeParsedMessage(fits, limits))).toBeUndefined();
    expect(codeOf(() => decodeParsedMessage(deep, limits))).toBe("INVALID_EVENT");
    expect(codeOf(() => decodeMessage(JSON.stringify(fits), limits))).toBeUndefined();
    expect(codeOf(() => decodeMessage(JSON.stringify(deep), limits))).toBe("INVALID_EVENT");
  });

  it("refuses what JSON cannot carry (binary attachments socket.io substitutes, structured clones)", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const data of [
      new ArrayBuffer(2),
      { photo: new Uint8Array(2) },
      [new Date(0)],
      { m: new Map() },
      [1, undefined],
      { n: Number.NaN },
      [Number.POSITIVE_INFINITY],
      { f: () => 1 },
      cycle,
    ]) {
      expect(
        codeOf(() => decodeParsedMessage({ ...parsed(), data })),
        String(data),
      ).toBe("INVALID_EVENT");
    }
    // undefined members of an object are skipped, as JSON.stringify skips them
    expect(codeOf(() => decodeParsedMessage({ ...parsed(), data: { a: undefined } }))).toBeUndefined();
  });
});

describe("hand-written checks agree with the regular expressions they replace", () => {
  const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
  const ANY_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
  const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;
  const timeLike = fc
    .array(fc.constantFrom(..."0123456789-T:.Z+z 9"), { maxLength: 40 })
    .map((chars) => chars.join(""));
  const fromDate = fc
    .tuple(fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }), fc.nat(9), fc.boolean())
    .map(([date, digits, zulu]) => {
      const base = date.toISOString().slice(0, 19);
      const fraction = digits === 0 ? "" : `.${"123456789".slice(0, digits)}`;
      return `${base}${fraction}${zulu ? "Z" : "+05:30"}`;
    });

  it("isIsoTime", () => {
    fc.assert(
      fc.property(
        fc.oneof(timeLike, fromDate, fc.string()),
        (text) => isIsoTime(text) === ISO_TIME.test(text),
      ),
    );
    for (const text of [
      "2026-01-01T00:00:00Z",
      "2026-01-01T00:00:00.1234567890Z",
      "2026-01-01T00:00:00-01:0",
      "2026-01-01T00:00:00.Z",
    ]) {
      expect(isIsoTime(text), text).toBe(ISO_TIME.test(text));
    }
    expect(isIsoTime(5)).toBe(false);
  });

  it("isEventId", () => {
    const idLike = fc
      .array(fc.constantFrom(..."0123456789abcdefABCDEF-7zZuUiIlLoO"), { minLength: 20, maxLength: 40 })
      .map((chars) => chars.join(""));
    fc.assert(
      fc.property(
        fc.oneof(idLike, fc.uuid(), fc.string()),
        (text) => isEventId(text) === (ANY_UUID.test(text) || ULID.test(text)),
      ),
    );
    expect(isEventId("01ARZ3NDEKTSV4RRFFQ69G5FAV")).toBe(true);
  });

  it("isEventType and epochs", () => {
    const EVENT_TYPE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
    const EPOCH = /^[A-Za-z0-9_-]{1,64}$/;
    const typeLike = fc
      .array(fc.constantFrom(..."aZ09_-..$ é*"), { maxLength: 12 })
      .map((chars) => chars.join(""));
    fc.assert(
      fc.property(fc.oneof(typeLike, fc.string()), (text) => {
        expect(isEventType(text)).toBe(EVENT_TYPE.test(text) && text !== "broadcast");
        expect(isStreamPosition({ offset: 1, epoch: text })).toBe(EPOCH.test(text));
      }),
    );
    expect(isStreamPosition({ offset: 1, epoch: "a".repeat(65) })).toBe(false);
  });
});
