/**
 * Issue 17, goal 5: the client's CPU per delivery to decode an event, without the network — what
 * socket.io-client does with each received Engine.IO message (socket.io-parser's Decoder) and then,
 * for ours, the SDK's own validation — against the baseline's packet: the same envelope as a JSON
 * object inside the socket.io packet, parsed once and not validated (what socket.io-client hands an
 * app's handler).
 *
 *   - ours (protocol 3): `2["m","<channel>",{…}]`, socket.io-parser, then decodeParsedMessage on the
 *     object (what client/channels.ts does with a live frame);
 *   - ours, protocol 2 (before): `2["m","<channel>","<envelope as a JSON string>"]`, socket.io-parser,
 *     then decodeMessage on the string (a second JSON.parse, then the same checks);
 *   - baseline: `2["<type>",{…}]`, socket.io-parser only.
 *
 *   npx tsx bench/client-decode.ts [deliveries=200000] [rounds=5]
 *
 * The same measurement in Chromium: bench/client-decode-browser.ts.
 */
import { Decoder } from "socket.io-parser";
import { decodeMessage, decodeParsedMessage } from "../protocol/codec.js";
import { DEFAULT_LIMITS } from "../protocol/limits.js";
import { decodePackets } from "./lib/decode-packets.js";

const deliveries = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 5);
const packets = decodePackets();
const options = { allowSystem: true };

type Mode = "ours" | "ours-v2" | "parser-only";

function run(packet: string, mode: Mode): number {
  const decoder = new Decoder();
  let sink = 0;
  decoder.on("decoded", (p: { data?: unknown[] }) => {
    const message = p.data?.[2];
    if (mode === "ours") sink += decodeParsedMessage(message, DEFAULT_LIMITS, options).envelope.type.length;
    else if (mode === "ours-v2")
      sink += decodeMessage(message as string, DEFAULT_LIMITS, options).envelope.type.length;
    else sink += p.data?.length ?? 0;
  });
  const cpu = process.cpuUsage();
  for (let i = 0; i < deliveries; i++) decoder.add(packet);
  const used = process.cpuUsage(cpu);
  if (sink === 0) throw new Error("nothing decoded");
  return (used.user + used.system) / deliveries;
}

const { ours, oursV2, baseline } = packets;
process.stdout.write(
  `packet bytes: ours ${ours.length}, ours protocol 2 ${oursV2.length}, baseline ${baseline.length}\n`,
);
const rows: [string, string, Mode][] = [
  ["ours (protocol 3)", ours, "ours"],
  ["ours, socket.io-parser only", ours, "parser-only"],
  ["ours, protocol 2 (before)", oursV2, "ours-v2"],
  ["baseline", baseline, "parser-only"],
];
const results = new Map<string, number[]>(rows.map(([name]) => [name, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, packet, mode] of rows) results.get(name)?.push(run(packet, mode));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
for (const [name, xs] of results) {
  process.stdout.write(`${name}: ${median(xs).toFixed(2)} µs CPU per delivery (median of ${rounds})\n`);
}
const base = median(results.get("baseline") ?? []);
process.stdout.write(
  `ours ÷ baseline: ${(median(results.get("ours (protocol 3)") ?? []) / base).toFixed(2)}; ` +
    `protocol 2 ÷ baseline: ${(median(results.get("ours, protocol 2 (before)") ?? []) / base).toFixed(2)}\n`,
);
