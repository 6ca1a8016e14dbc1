/**
 * Load generator for bench/relay-fanout.ts, in its own process: CLIENTS raw WebSocket connections
 * speaking just enough Engine.IO v4 / socket.io v5 to connect, join one room and answer pings —
 * no socket.io-client decoding per message, so the load generator stays cheaper than the servers it
 * measures. Controlled over IPC:
 *   { cmd: "phase", phase: "latency" | "throughput", expect }  → resets counters; in the throughput
 *       phase sends { event: "done", at } once every client got `expect` messages
 *   { cmd: "stats" } → { count, latencies: { p50, p99, max } (ms) }
 * Prints `ready` once every client joined.
 *
 *   MODE=relay|baseline PORT=… CLIENTS=1000 JWT_SECRET=… node --import tsx bench/relay-bench-load.ts
 */
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { createDevToken } from "../relay/auth/dev-token.js";

const mode = process.env.MODE ?? "relay";
const port = Number(process.env.PORT);
const clients = Number(process.env.CLIENTS ?? 1000);
const secret = process.env.JWT_SECRET ?? "";
const now = () => performance.timeOrigin + performance.now();

const MESSAGE = 0x32; // "2" after "4": a socket.io EVENT packet is "42[...]"
const ENGINE_MESSAGE = 0x34; // "4"
const TIMESTAMP = /\\"t\\":([\d.]+)/;

const state = { phase: "idle" as "idle" | "latency" | "throughput", expect: 0, total: 0, done: false };
let latencies: number[] = [];

function onFrame(ws: WebSocket, data: Buffer): void {
  if (data.length === 1 && data[0] === MESSAGE) {
    ws.send("3"); // Engine.IO pong
    return;
  }
  if (data[0] !== ENGINE_MESSAGE || data[1] !== MESSAGE) return;
  state.total++;
  if (state.phase === "latency") {
    const match = TIMESTAMP.exec(data.toString());
    if (match?.[1]) latencies.push(now() - Number(match[1]));
  } else if (state.phase === "throughput" && !state.done && state.total >= state.expect * clients) {
    state.done = true;
    process.send?.({ event: "done", at: now() });
  }
}

/** Opens one connection, connects the namespace, joins the room; resolves once the join is acked. */
function connect(auth: string, join: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, {
    perMessageDeflate: false,
  });
  return new Promise((resolve, reject) => {
    let step = 0;
    const timer = setTimeout(() => reject(new Error(`connection timed out at step ${step}`)), 30_000);
    ws.on("error", reject);
    ws.on("message", (data: Buffer) => {
      if (step === 3) return onFrame(ws, data);
      const text = data.toString();
      if (text === "2") return ws.send("3");
      if (step === 0 && text.startsWith("0")) {
        step = 1;
        ws.send(`40${auth}`);
      } else if (step === 1 && text.startsWith("40")) {
        step = 2;
        ws.send(`420${join}`);
      } else if (step === 2 && text.startsWith("430")) {
        step = 3;
        clearTimeout(timer);
        resolve(ws);
      } else if (text.startsWith("44")) {
        clearTimeout(timer);
        reject(new Error(`refused: ${text}`));
      }
    });
  });
}

async function frames(i: number): Promise<{ auth: string; join: string }> {
  if (mode === "baseline") return { auth: "", join: JSON.stringify(["join", "bench"]) };
  const token = await createDevToken({ sub: `bench-${i}`, secret, rooms: ["bench:*"], ttl: "2h" });
  return { auth: JSON.stringify({ token, v: 1 }), join: JSON.stringify(["join", { room: "bench:1" }]) };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

process.on("message", (message: { cmd: string; phase?: "latency" | "throughput"; expect?: number }) => {
  if (message.cmd === "phase" && message.phase) {
    Object.assign(state, { phase: message.phase, expect: message.expect ?? 0, total: 0, done: false });
    latencies = [];
  } else if (message.cmd === "stats") {
    const sorted = [...latencies].sort((a, b) => a - b);
    process.send?.({
      count: state.total,
      latencies: {
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? Number.NaN,
      },
    });
  }
});

const BATCH = 50;
const sockets: WebSocket[] = [];
for (let i = 0; i < clients; i += BATCH) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(BATCH, clients - i) }, async (_, j) => {
      const { auth, join } = await frames(i + j);
      return connect(auth, join);
    }),
  );
  sockets.push(...batch);
}
process.stdout.write(`ready ${sockets.length}\n`);
