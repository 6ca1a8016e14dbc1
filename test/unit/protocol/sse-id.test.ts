/** The SSE id (protocol/sse.ts): positions by channel survive a round trip; anything else is INVALID_FRAME. */
import { describe, expect, it } from "vitest";
import { isEventBusError } from "../../../protocol/errors.js";
import { decodeSseId, encodeSseId, MAX_SSE_ID_LENGTH } from "../../../protocol/sse.js";

describe("SSE ids", () => {
  it("round-trip positions of channels whose names hold separators", () => {
    const positions = {
      "user:a|b,c": { offset: 3, epoch: "e1", id: "01a249ca-c1c7-7405-93e2-499d792d0427" },
      broadcast: { offset: 0, epoch: "E_2-x" },
      "app1:room:photo:1%": { offset: 9_007_199_254_740_991, epoch: "k" },
    };
    const id = encodeSseId(positions);
    expect(id).not.toMatch(/[\r\n\0]/);
    expect(decodeSseId(id)).toEqual(positions);
    expect(decodeSseId(encodeSseId({}))).toEqual({});
  });

  it.each([
    ["", "unknown version"],
    ["2,x|1|e|", "unknown version"],
    ["1,x|1|e", "channel|offset|epoch|id"],
    ["1,x|-1|e|", "bad offset"],
    ["1,x|1.5|e|", "bad offset"],
    ["1,x|1|e e|", "bad position"],
    ["1,x|1|e|not an id", "bad position"],
    ["1,%E0%A4%A|1|e|", "not URI-encoded"],
    ["1,|1|e|", "bad position"],
    ["1,x|1|e||", "bad offset"],
  ])("refuses %j (%s)", (text, problem) => {
    let error: unknown;
    try {
      decodeSseId(text);
    } catch (caught) {
      error = caught;
    }
    expect(isEventBusError(error, "INVALID_FRAME")).toBe(true);
    expect((error as Error).message).toContain(problem);
  });

  it("refuses ids longer than the limit and with too many channels", () => {
    expect(() => decodeSseId(`1,${"x".repeat(MAX_SSE_ID_LENGTH)}`)).toThrow(/longer than/);
    const many = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`c${i}`, { offset: 1, epoch: "e" }]),
    );
    expect(() => decodeSseId(encodeSseId(many), 10)).toThrow(/more than 10 channels/);
  });
});
