/**
 * Hostile clients in their own process (so their CPU is not the measuring test's): raw
 * socket.io-client sockets that ignore every limit, for `durationMs`:
 *   - publish flooders: emit `publish` frames back to back, reconnecting whenever kicked;
 *   - join flooders: join ever new rooms back to back, reconnecting whenever kicked;
 *   - a connection flooder: waves of concurrent connections for one user, held open, then closed.
 * Prints one JSON report on stdout: per connection, how many frames were accepted and refused
 * (by code), how it ended, and when it began (before the handshake, so the relay's bucket for it
 * cannot be older) and ended (once closed here).
 *
 *   node --import tsx test/chaos/support/flooder-child.ts <url> <secret> <durationMs> <publishers> <joiners> <waveSize> <framesPerTick>
 */
import { io, type Socket } from "socket.io-client";
import { PROTOCOL_VERSION } from "../../../protocol/frames.js";
import { createId } from "../../../protocol/ids.js";
import { createDevToken } from "../../../relay/auth/dev-token.js";

const [
  url = "",
  secret = "",
  durationArg = "5000",
  publishersArg = "4",
  joinersArg = "2",
  waveArg = "40",
  perTickArg = "20",
] = process.argv.slice(2);
const deadline = Date.now() + Number(durationArg);

interface ConnectionReport {
  readonly kind: "publish" | "join";
  ok: number;
  refused: Record<string, number>;
  notice: string | null;
  /** Epoch ms before the connection was opened, and once it was closed. */
  startedAt: number;
  endedAt: number;
}

const connections: ConnectionReport[] = [];
const waves: { accepted: number; refused: Record<string, number> }[] = [];

function open(token: string): Promise<Socket | string> {
  return new Promise((resolve) => {
    const socket = io(url, {
      auth: { token, v: PROTOCOL_VERSION },
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
    });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error: Error & { data?: { code?: string } }) => {
      socket.disconnect();
      resolve(error.data?.code ?? "CONNECT_ERROR");
    });
  });
}

/** Frames sent at once when a flooding connection opens (the relay's burst is 500, its tolerance 100 by default). */
const OPENING_BURST = 2000;

/** Floods on one connection until it is closed; resolves with its report. */
async function floodOnce(kind: "publish" | "join", user: string, round: number): Promise<void> {
  const token = await createDevToken({ sub: user, secret, rooms: ["flood:*"], publish: ["flood:*"] });
  const startedAt = Date.now();
  const socket = await open(token);
  if (typeof socket === "string") return;
  const report: ConnectionReport = { kind, ok: 0, refused: {}, notice: null, startedAt, endedAt: 0 };
  connections.push(report);
  socket.on("notice", (notice: { code: string }) => {
    report.notice = notice.code;
  });
  const closed = new Promise<void>((resolve) => socket.once("disconnect", () => resolve()));
  let sent = 0;
  let first = true;
  const pump = () => {
    // `perTick` frames every millisecond tick, until the connection is closed or time is up. The
    // first tick sends OPENING_BURST at once: more than the rate burst and the flood tolerance
    // together, so the relay sees a flood however slowly a loaded machine runs this process.
    if (!socket.connected || Date.now() > deadline) return;
    const count = first ? OPENING_BURST : Number(perTickArg);
    first = false;
    for (let i = 0; i < count; i++, sent++) {
      const payload =
        kind === "publish"
          ? { id: createId(), type: "flood.spam", data: { n: sent }, room: `flood:${user}` }
          : { room: `flood:${user}-${round}-${sent}` };
      socket.emit(kind, payload, (reply: { ok: boolean; error?: { code: string } }) => {
        if (reply.ok) report.ok++;
        else {
          const code = reply.error?.code ?? "?";
          report.refused[code] = (report.refused[code] ?? 0) + 1;
        }
      });
    }
    setTimeout(pump, 1);
  };
  pump();
  const timer = setTimeout(() => socket.disconnect(), Math.max(0, deadline - Date.now()));
  await closed;
  clearTimeout(timer);
  report.endedAt = Date.now();
}

async function flooder(kind: "publish" | "join", user: string): Promise<void> {
  for (let round = 0; Date.now() < deadline; round++) await floodOnce(kind, user, round);
}

async function connectionFlood(): Promise<void> {
  const token = await createDevToken({ sub: "hydra", secret, ttl: 600 });
  while (Date.now() < deadline) {
    const results = await Promise.all(Array.from({ length: Number(waveArg) }, () => open(token)));
    const wave = { accepted: 0, refused: {} as Record<string, number> };
    for (const result of results) {
      if (typeof result === "string") wave.refused[result] = (wave.refused[result] ?? 0) + 1;
      else wave.accepted++;
    }
    waves.push(wave);
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const result of results) if (typeof result !== "string") result.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

await Promise.all([
  ...Array.from({ length: Number(publishersArg) }, (_, i) => flooder("publish", `spammer${i}`)),
  ...Array.from({ length: Number(joinersArg) }, (_, i) => flooder("join", `joiner${i}`)),
  connectionFlood(),
]);
process.stdout.write(`${JSON.stringify({ connections, waves })}\n`);
process.exit(0);
