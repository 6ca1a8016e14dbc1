/**
 * Issue 17, goal 5: the client's CPU per delivery to decode an event, without the network — what
 * socket.io-client does with each received Engine.IO message (socket.io-parser's Decoder) and then,
 * for ours, the SDK's own `decodeMessage` (the envelope JSON string inside the packet parsed and
 * validated), against the baseline's packet: the same envelope as a JSON object inside the
 * socket.io packet, parsed once. Node only; the same two parses happen in a browser.
 *
 *   npx tsx bench/client-decode.ts [deliveries=200000] [rounds=5]
 */
import { Decoder } from "socket.io-parser";
import { decodeMessage, encodeEvent } from "../protocol/codec.js";

const deliveries = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 5);

// figure 1's event: ≈ 235 bytes, ≈ 300 with offset and epoch.
const { json } = encodeEvent({
  type: "photo.processing.progress",
  data: { sentAt: 1_765_000_000_000, photoId: "p-123456", percent: 42 },
  source: "bench",
});
const withPosition = `${json.slice(0, -1)},"offset":123456,"epoch":"0192f0c4-8b8e-7c2a-9f3e-5a1b2c3d4e5f"}`;
const ours = `2${JSON.stringify(["m", "room:bench:0", withPosition])}`;
const baseline = `2${JSON.stringify(["photo.processing.progress", JSON.parse(json)])}`;

function run(packet: string, decodeEnvelope: boolean): number {
  const decoder = new Decoder();
  let sink = 0;
  decoder.on("decoded", (p: { data?: unknown[] }) => {
    const raw = p.data?.[2];
    if (decodeEnvelope && typeof raw === "string") {
      sink += decodeMessage(raw, undefined, { allowSystem: true }).envelope.type.length;
    } else {
      sink += p.data?.length ?? 0;
    }
  });
  const cpu = process.cpuUsage();
  for (let i = 0; i < deliveries; i++) decoder.add(packet);
  const used = process.cpuUsage(cpu);
  if (sink === 0) throw new Error("nothing decoded");
  return (used.user + used.system) / deliveries;
}

process.stdout.write(`packet bytes: ours ${ours.length}, baseline ${baseline.length}\n`);
const results: Record<string, number[]> = { ours: [], "ours, socket.io-parser only": [], baseline: [] };
for (let r = 0; r < rounds; r++) {
  results.ours?.push(run(ours, true));
  results["ours, socket.io-parser only"]?.push(run(ours, false));
  results.baseline?.push(run(baseline, false));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
for (const [name, xs] of Object.entries(results)) {
  process.stdout.write(`${name}: ${median(xs).toFixed(2)} µs CPU per delivery (median of ${rounds})\n`);
}
process.stdout.write(
  `ours ÷ baseline: ${(median(results.ours ?? []) / median(results.baseline ?? [])).toFixed(2)}\n`,
);
