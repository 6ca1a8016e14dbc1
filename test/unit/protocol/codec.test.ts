import { describe, expect, it } from "vitest";
import { decodeMessage, encodeEvent, serialiseData } from "../../../protocol/codec.js";
import { EventBusError } from "../../../protocol/errors.js";
import { resolveLimits, utf8ByteLength } from "../../../protocol/limits.js";
import { createEpoch, positionTemplate, withPosition } from "../../../protocol/position.js";

const input = { type: "photo.uploaded", data: { photoId: "p1", size: 3 }, source: "photo-api" };

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof EventBusError ? error.code : `not an EventBusError: ${String(error)}`;
  }
  return undefined;
}

describe("encodeEvent", () => {
  it("builds the documented envelope and serialises it once", () => {
    const { envelope, json, bytes } = encodeEvent({ ...input, traceId: "t-1", userId: "u1" });
    expect(JSON.parse(json)).toEqual(envelope);
    expect(Object.keys(JSON.parse(json))).toEqual(["id", "type", "data", "metadata"]);
    expect(envelope.metadata).toMatchObject({ source: "photo-api", traceId: "t-1", userId: "u1" });
    expect(new Date(envelope.metadata.timestamp).toISOString()).toBe(envelope.metadata.timestamp);
    expect(bytes).toBe(Buffer.byteLength(json));
    const unicode = encodeEvent({ ...input, data: { name: "Zoë 😀" }, source: "café-api", traceId: "τ-1" });
    expect(unicode.bytes).toBe(Buffer.byteLength(unicode.json));
  });

  it("rejects bad input with a code and without a half-built result", () => {
    expect(codeOf(() => encodeEvent({ ...input, type: "photo.*" }))).toBe("INVALID_TYPE");
    expect(codeOf(() => encodeEvent({ ...input, data: undefined }))).toBe("INVALID_EVENT");
    expect(codeOf(() => encodeEvent({ ...input, data: { n: Number.NaN } }))).toBe("INVALID_EVENT");
    expect(codeOf(() => encodeEvent({ ...input, data: { f: () => 1 } }))).toBe("INVALID_EVENT");
    expect(codeOf(() => encodeEvent({ ...input, data: { b: 10n } }))).toBe("INVALID_EVENT");
    expect(codeOf(() => encodeEvent({ ...input, data: [1, undefined] }))).toBe("INVALID_EVENT");
    expect(codeOf(() => encodeEvent({ ...input, source: "" }))).toBe("INVALID_EVENT");
    expect(codeOf(() => encodeEvent({ ...input, source: `client:${"u".repeat(128)}` }))).toBeUndefined();
    expect(codeOf(() => encodeEvent({ ...input, source: "s".repeat(161) }))).toBe("INVALID_EVENT");
    expect(codeOf(() => encodeEvent({ ...input, room: "bad room" }))).toBe("INVALID_ROOM");
    expect(codeOf(() => encodeEvent({ ...input, userId: "u*" }))).toBe("INVALID_USER");
    expect(codeOf(() => encodeEvent({ ...input, id: "123" }))).toBe("INVALID_EVENT");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(codeOf(() => encodeEvent({ ...input, data: cyclic }))).toBe("INVALID_EVENT");
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { deep };
    expect(codeOf(() => encodeEvent({ ...input, data: deep }))).toBe("INVALID_EVENT");
  });

  it("enforces the data and event size limits in UTF-8 bytes", () => {
    const limits = resolveLimits({ maxDataBytes: 100, maxEventBytes: 250 });
    expect(codeOf(() => encodeEvent({ ...input, data: "x".repeat(98) }, limits))).toBeUndefined();
    expect(codeOf(() => encodeEvent({ ...input, data: "x".repeat(99) }, limits))).toBe("TOO_LARGE");
    expect(codeOf(() => encodeEvent({ ...input, data: "é".repeat(50) }, limits))).toBe("TOO_LARGE");
    expect(codeOf(() => encodeEvent({ ...input, data: "x", traceId: "t".repeat(128) }, limits))).toBe(
      "TOO_LARGE",
    );
    expect(() => serialiseData("x".repeat(600 * 1024))).toThrow(
      /TOO_LARGE: The data is \d+ bytes; the limit is 524288/,
    );
  });

  it("keeps prototype-pollution keys as plain data", () => {
    const data = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}');
    const { json } = encodeEvent({ ...input, data });
    const decoded = decodeMessage(json);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(decoded.envelope.data as object, "__proto__")).toBe(true);
  });
});

describe("decodeMessage and positions", () => {
  it("reads back a message with its position", () => {
    const { json, envelope } = encodeEvent(input);
    const epoch = createEpoch();
    const message = withPosition(json, { offset: 42, epoch });
    const { head, middle, tail } = positionTemplate(json);
    expect(`${head}42${middle}${epoch}${tail}`).toBe(message);
    const decoded = decodeMessage(message);
    expect(decoded.position).toEqual({ offset: 42, epoch });
    expect(decoded.envelope).toMatchObject(envelope);
    expect(decodeMessage(json).position).toBeUndefined();
  });

  it("rejects what is not an envelope", () => {
    expect(codeOf(() => decodeMessage("not json"))).toBe("INVALID_EVENT");
    expect(codeOf(() => decodeMessage("[]"))).toBe("INVALID_EVENT");
    const { json } = encodeEvent(input);
    expect(codeOf(() => decodeMessage(json.replace('"photo.uploaded"', '"$presence.join"')))).toBe(
      "INVALID_TYPE",
    );
    expect(
      decodeMessage(json.replace('"photo.uploaded"', '"$presence.join"'), undefined, { allowSystem: true })
        .envelope.type,
    ).toBe("$presence.join");
    expect(codeOf(() => decodeMessage(withPosition(json, { offset: -1, epoch: "e" })))).toBe("INVALID_EVENT");
    expect(codeOf(() => decodeMessage(json.replace(/"timestamp":"[^"]+"/, '"timestamp":"yesterday"')))).toBe(
      "INVALID_EVENT",
    );
  });

  it("counts UTF-8 bytes like Buffer does", () => {
    for (const text of ["", "abc", "é", "€", "😀", "a😀b", "\ud800x", "x\udc00"]) {
      expect(utf8ByteLength(text), JSON.stringify(text)).toBe(Buffer.byteLength(text));
    }
  });
});
