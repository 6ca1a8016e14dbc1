import { describe, expect, it } from "vitest";
import { createId } from "../../../protocol/ids.js";
import {
  parseHello,
  parseHistory,
  parseJoin,
  parsePublish,
} from "../../../relay/edge/connection/validate-frames.js";

const code = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return "ok";
};

describe("frame validation", () => {
  it("accepts well-formed frames and drops unknown fields", () => {
    expect(
      parseJoin({ room: "photo:1", since: { offset: 3, epoch: "e1" }, presence: true, extra: 1 }),
    ).toEqual({
      room: "photo:1",
      since: { offset: 3, epoch: "e1" },
      presence: true,
    });
    expect(parseHello(undefined)).toEqual({});
    expect(
      parseHistory({ channel: "room:a", since: { offset: 0, epoch: "e" }, limit: 10_000 }),
    ).toMatchObject({
      limit: 500,
    });
    const id = createId();
    expect(parsePublish({ id, type: "a.b", data: null, room: "r" })).toEqual({
      id,
      type: "a.b",
      data: null,
      room: "r",
    });
  });

  it("refuses malformed frames with coded errors", () => {
    expect(code(() => parseJoin([]))).toBe("INVALID_FRAME");
    expect(code(() => parseJoin({ room: "a*" }))).toBe("INVALID_ROOM");
    expect(code(() => parseJoin({ room: "a", since: { offset: 1.5, epoch: "e" } }))).toBe("INVALID_FRAME");
    expect(code(() => parseHello({ since: { x: { offset: 1 } } }))).toBe("INVALID_FRAME");
    expect(
      code(() =>
        parseHello({ since: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`c${i}`, {}])) }),
      ),
    ).toBe("INVALID_FRAME");
    expect(code(() => parseHistory({ channel: "", since: { offset: 0, epoch: "e" } }))).toBe(
      "INVALID_CHANNEL",
    );
    expect(code(() => parseHistory({ channel: "room:a", since: { offset: 0, epoch: "e" }, limit: 0 }))).toBe(
      "INVALID_FRAME",
    );
    expect(code(() => parsePublish({ id: createId().toUpperCase(), type: "a", data: 1, room: "r" }))).toBe(
      "INVALID_FRAME",
    );
    expect(code(() => parsePublish({ id: createId(), type: "a", room: "r" }))).toBe("INVALID_FRAME");
  });
});
