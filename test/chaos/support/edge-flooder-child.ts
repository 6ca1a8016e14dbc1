/**
 * Hostile clients at the relay's edges, in their own process (their CPU is not the measuring
 * test's), for `durationMs`; prints one JSON report on stdout.
 *
 *   handshake <url> <secret> <durationMs> <address>
 *     4 raw WebSockets (half with a bad token, half reusing one valid token) sending CONNECT frames
 *     and never reading, reopened whenever the relay closes them; 2 loops opening new WebSockets
 *     as fast as they open (5 CONNECTs each, bad or valid token, never reading, dropped after
 *     200 ms); 2 loops of long-polling POSTs of 1 MB packed with CONNECT packets. Every request
 *     says X-Forwarded-For: <address> (the relay trusts one proxy hop: the attacker's address).
 *   history <url> <secret> <durationMs> <room>
 *     one user on 4 sockets publishing 400 KB events to 40 rooms as fast as acks come (bounded: 100
 *     per socket), and 2 raw WebSockets that join <room>, send 20 `history` frames of limit 500
 *     from offset 0 each, and then never read.
 *
 *   node --import tsx test/chaos/support/edge-flooder-child.ts handshake http://… secret 8000 10.66.0.1
 */
import { io, type Socket } from "socket.io-client";
import type { WebSocket } from "ws";
import { PROTOCOL_VERSION } from "../../../protocol/frames.js";
import { createId } from "../../../protocol/ids.js";
import { createDevToken } from "../../../relay/auth/dev-token.js";
import {
  connectPacket,
  eventPacket,
  pollingOpen,
  pollingPost,
  rawWebSocket,
} from "../../helpers/raw-engine.js";

const [mode = "", url = "", secret = "", durationArg = "5000", target = ""] = process.argv.slice(2);
const deadline = Date.now() + Number(durationArg);
const live = () => Date.now() < deadline;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const report = {
  wsConnections: 0,
  connectFrames: 0,
  posts: 0,
  postedConnects: 0,
  published: 0,
  publishRefused: {} as Record<string, number>,
  publishedBytes: 0,
  historyFrames: 0,
  readersJoined: 0,
};

/** Sends CONNECT frames without reading until the relay closes the socket (or time is up). */
async function connectFlood(token: string): Promise<void> {
  const frame = connectPacket({ token, v: PROTOCOL_VERSION });
  while (live()) {
    let ws: WebSocket;
    try {
      ws = await rawWebSocket(url, { "x-forwarded-for": target });
    } catch {
      await pause(50);
      continue;
    }
    report.wsConnections++;
    ws.pause();
    const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
    while (live() && ws.readyState === ws.OPEN) {
      for (let i = 0; i < 100 && ws.bufferedAmount < 256 * 1024; i++, report.connectFrames++) ws.send(frame);
      await pause(1);
    }
    ws.terminate();
    await closed;
  }
}

/** New connections as fast as they open (at most 64 at once), 5 CONNECTs each, never reading. */
async function churnFlood(token: string): Promise<void> {
  const frame = connectPacket({ token, v: PROTOCOL_VERSION });
  let open = 0;
  while (live()) {
    if (open >= 64) {
      await pause(5);
      continue;
    }
    let ws: WebSocket;
    try {
      ws = await rawWebSocket(url, { "x-forwarded-for": target });
    } catch {
      await pause(50);
      continue;
    }
    report.wsConnections++;
    open++;
    ws.pause();
    for (let i = 0; i < 5; i++, report.connectFrames++) ws.send(frame);
    setTimeout(() => {
      ws.terminate();
      open--;
    }, 200);
  }
}

/** Long-polling sessions, each sent one POST of 1 MB packed with CONNECT packets. */
async function pollingFlood(): Promise<void> {
  const packets = Array.from({ length: 30_000 }, () =>
    connectPacket({ token: "not-a-jwt", v: PROTOCOL_VERSION }),
  );
  while (live()) {
    try {
      const sid = await pollingOpen(url, { "x-forwarded-for": target });
      await pollingPost(url, sid, packets);
      report.posts++;
      report.postedConnects += packets.length;
    } catch {
      await pause(50);
    }
  }
}

async function handshakeMode(): Promise<void> {
  const valid = await createDevToken({ sub: "mallory", secret, ttl: 600 });
  await Promise.all([
    ...[0, 1, 2, 3].map((i) => connectFlood(i % 2 === 0 ? "not-a-jwt" : valid)),
    churnFlood("not-a-jwt"),
    churnFlood(valid),
    pollingFlood(),
    pollingFlood(),
  ]);
}

function openSocket(token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      auth: { token, v: PROTOCOL_VERSION },
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
    });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

/** One socket of the hoarder: 400 KB events to 10 rooms of its own, acks awaited, at most 100. */
async function hoard(token: string, index: number): Promise<void> {
  const data = { blob: "h".repeat(400 * 1024) };
  let socket = await openSocket(token);
  for (let n = 0; n < 100 && live(); n++) {
    if (!socket.connected) socket = await openSocket(token);
    const room = `hoard:${index}-${n % 10}`;
    const reply = (await socket
      .timeout(10_000)
      .emitWithAck("publish", { id: createId(), type: "hoard.blob", data, room })
      .catch(() => ({ ok: false, error: { code: "NO_ACK" } }))) as { ok: boolean; error?: { code: string } };
    if (reply.ok) {
      report.published++;
      report.publishedBytes += data.blob.length;
    } else {
      const code = reply.error?.code ?? "?";
      report.publishRefused[code] = (report.publishRefused[code] ?? 0) + 1;
      await pause(100);
    }
  }
  socket.disconnect();
}

/** Reads the next text message of a raw WebSocket that starts with `prefix`. */
function nextMessage(ws: WebSocket, prefix: string): Promise<string> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const text = data.toString();
      if (!text.startsWith(prefix)) return;
      ws.off("message", onMessage);
      resolve(text);
    };
    ws.on("message", onMessage);
  });
}

/** Joins the room, asks 20 pages of its whole history at once, then never reads again. */
async function historyReader(token: string): Promise<void> {
  const ws = await rawWebSocket(url);
  const connected = nextMessage(ws, "40");
  ws.send(connectPacket({ token, v: PROTOCOL_VERSION }));
  await connected;
  const joined = nextMessage(ws, "431");
  ws.send(eventPacket(1, "join", { room: target }));
  const ack = JSON.parse((await joined).slice(3)) as [{ result?: { position?: { epoch?: string } } }];
  const epoch = ack[0].result?.position?.epoch ?? "";
  report.readersJoined++;
  ws.pause();
  for (let i = 0; i < 20; i++, report.historyFrames++) {
    const since = { offset: 0, epoch };
    ws.send(eventPacket(10 + i, "history", { channel: `room:${target}`, since, limit: 500 }));
  }
  while (live() && ws.readyState === ws.OPEN) await pause(50);
  ws.terminate();
}

async function historyMode(): Promise<void> {
  const hoarder = await createDevToken({ sub: "hoarder", secret, rooms: ["hoard:*"], publish: ["hoard:*"] });
  const reader = await createDevToken({ sub: "reader", secret, rooms: [target] });
  await Promise.all([
    ...[0, 1, 2, 3].map((i) => hoard(hoarder, i)),
    historyReader(reader),
    historyReader(reader),
  ]);
}

await (mode === "handshake" ? handshakeMode() : historyMode());
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(0);
