/**
 * The client-decode measurement itself, shared by bench/client-decode.ts (Node, CPU time) and
 * bench/client-decode-browser.ts (Chromium, performance.now() in a busy loop): each system's packet
 * through socket.io-parser's Decoder, as socket.io-client receives it, then for ours the SDK's own
 * validation of what it parsed.
 *
 *   - ours (protocol 3): `2["m","<channel>",{…}]`, then decodeParsedMessage on the object (what
 *     client/channels.ts does with a live frame);
 *   - ours, protocol 2 (before): `2["m","<channel>","<envelope as a JSON string>"]`, then
 *     decodeMessage on the string (a second JSON.parse, then the same checks);
 *   - baseline: `2["<type>",{…}]`, socket.io-parser only (socket.io-client hands that to the app).
 */
import { Decoder } from "socket.io-parser";
import { decodeMessage, decodeParsedMessage } from "../../protocol/codec.js";
import { DEFAULT_LIMITS } from "../../protocol/limits.js";
import { decodePackets } from "./decode-packets.js";

type Mode = "ours" | "ours-v2" | "parser-only";

export interface DecodeResults {
  readonly bytes: Record<string, number>;
  /** µs per delivery, median of the rounds, by row. */
  readonly perDelivery: Record<string, number>;
  /** µs per delivery, fastest round, by row (steadier than the median on a loaded machine). */
  readonly fastest: Record<string, number>;
}

const options = { allowSystem: true };

/** `clock`: microseconds (CPU time in Node, wall time in a browser). */
export function runDecode(clock: () => number, deliveries: number, rounds: number): DecodeResults {
  const { ours, oursV2, baseline } = decodePackets();
  const rows: [string, string, Mode][] = [
    ["ours (protocol 3)", ours, "ours"],
    ["ours, socket.io-parser only", ours, "parser-only"],
    ["ours, protocol 2 (before)", oursV2, "ours-v2"],
    ["baseline", baseline, "parser-only"],
  ];
  const samples = new Map<string, number[]>(rows.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, packet, mode] of rows) samples.get(name)?.push(once(clock, packet, mode, deliveries));
  }
  const perDelivery: Record<string, number> = {};
  const fastest: Record<string, number> = {};
  for (const [name, xs] of samples) {
    perDelivery[name] = median(xs);
    fastest[name] = Math.min(...xs);
  }
  const bytes = { ours: ours.length, "ours protocol 2": oursV2.length, baseline: baseline.length };
  return { bytes, perDelivery, fastest };
}

function once(clock: () => number, packet: string, mode: Mode, deliveries: number): number {
  const decoder = new Decoder();
  let sink = 0;
  decoder.on("decoded", (p: { data?: unknown[] }) => {
    const message = p.data?.[2];
    if (mode === "ours") sink += decodeParsedMessage(message, DEFAULT_LIMITS, options).envelope.type.length;
    else if (mode === "ours-v2")
      sink += decodeMessage(message as string, DEFAULT_LIMITS, options).envelope.type.length;
    else sink += p.data?.length ?? 0;
  });
  const start = clock();
  for (let i = 0; i < deliveries; i++) decoder.add(packet);
  const used = clock() - start;
  if (sink === 0) throw new Error("nothing decoded");
  return used / deliveries;
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
}

/** The report lines both benches print. */
export function formatDecode(results: DecodeResults, rounds: number, where: string): string {
  const { perDelivery: d, fastest: f, bytes } = results;
  const ratio = (of: Record<string, number>, row: string): string =>
    ((of[row] ?? Number.NaN) / (of.baseline ?? Number.NaN)).toFixed(2);
  const lines = [
    `${where}: packet bytes ${Object.entries(bytes)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    ...Object.entries(d).map(
      ([name, us]) =>
        `${name}: ${us.toFixed(2)} µs per delivery (median of ${rounds}; fastest ${(f[name] ?? Number.NaN).toFixed(2)})`,
    ),
    `ours ÷ baseline: ${ratio(d, "ours (protocol 3)")} (fastest rounds: ${ratio(f, "ours (protocol 3)")}); ` +
      `protocol 2 ÷ baseline: ${ratio(d, "ours, protocol 2 (before)")} (${ratio(f, "ours, protocol 2 (before)")})`,
  ];
  return `${lines.join("\n")}\n`;
}
