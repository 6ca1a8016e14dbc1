import { describe, expect, it } from "vitest";
import * as ws from "ws";
import { textFrame } from "../../../relay/edge/delivery/engine-internals.js";

interface FrameReceiver {
  on(event: "message", listener: (data: Buffer, isBinary: boolean) => void): void;
  write(chunk: Buffer): void;
}
// ws's frame parser (exported at run time, not in @types/ws).
const { Receiver } = ws as unknown as {
  Receiver: new (options: { isServer: boolean }) => FrameReceiver;
};

/** Parses frames with ws's own receiver (as a client would, unmasked from a server). */
function parse(frame: Buffer): string[] {
  const messages: string[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on("message", (data: Buffer, isBinary: boolean) => {
    expect(isBinary).toBe(false);
    messages.push(data.toString());
  });
  receiver.write(frame);
  return messages;
}

describe("textFrame", () => {
  it.each([0, 1, 125, 126, 65_535, 65_536, 300_000])("frames %i bytes as one text frame", (size) => {
    const text = "é".repeat(Math.floor(size / 2)) + "x".repeat(size % 2);
    const frame = textFrame(text);
    const header = size < 126 ? 2 : size < 65_536 ? 4 : 10;
    expect(frame.length).toBe(header + Buffer.byteLength(text));
    expect(frame[0]).toBe(0x81);
    expect(parse(frame)).toEqual([text]);
  });
});
