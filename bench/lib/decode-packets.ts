/**
 * The packets bench/client-decode.ts (Node) and bench/client-decode-browser.ts (Chromium) decode:
 * figure 1's event (≈ 235 bytes, ≈ 300 with offset and epoch) as each system's socket.io packet.
 */
import { encodeEvent } from "../../protocol/codec.js";

export interface DecodePackets {
  /** Protocol 3: `2["m","<channel>",{…envelope, offset, epoch}]`. */
  readonly ours: string;
  /** Protocol 2: the envelope as a JSON string inside the packet. */
  readonly oursV2: string;
  /** socket.io with an event per type: `2["<type>",{…envelope}]`. */
  readonly baseline: string;
}

export function decodePackets(): DecodePackets {
  const { json } = encodeEvent({
    type: "photo.processing.progress",
    data: { sentAt: 1_765_000_000_000, photoId: "p-123456", percent: 42 },
    source: "bench",
  });
  const withPosition = `${json.slice(0, -1)},"offset":123456,"epoch":"0192f0c48b8e7c2a"}`;
  return {
    ours: `2["m","room:bench:0",${withPosition}]`,
    oursV2: `2${JSON.stringify(["m", "room:bench:0", withPosition])}`,
    baseline: `2${JSON.stringify(["photo.processing.progress", JSON.parse(json)])}`,
  };
}
