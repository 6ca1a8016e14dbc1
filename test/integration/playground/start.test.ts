/**
 * `npm start` (playground/server/start.ts) as a user runs it: a port already taken makes it exit
 * non-zero with a command to run instead; and WebSockets that the browser side resets (a tab closed,
 * Ctrl-C) do not print Vite's `ws proxy error: read ECONNRESET` stack traces, while the playground
 * still stops cleanly (exit 0) on Ctrl-C.
 */
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../harness/processes.js";
import { type PlaygroundProcess, startPlayground } from "./playground-process.js";

const READY = /Event bus playground: http:\/\//;
let playground: PlaygroundProcess | undefined;
let blocker: Server | undefined;

afterEach(async () => {
  playground?.kill();
  playground = undefined;
  if (blocker) await new Promise<void>((resolve) => blocker?.close(() => resolve()));
  blocker = undefined;
});

describe("npm start", () => {
  it("exits non-zero when its port is taken, and says which port to use instead", async () => {
    blocker = createServer();
    blocker.listen(0, "127.0.0.1");
    await once(blocker, "listening");
    const address = blocker.address();
    const taken = typeof address === "object" && address ? address.port : 0;

    playground = startPlayground(["--port", String(taken)]);
    const code = await playground.exited(60_000);

    expect(code).not.toBe(0);
    const output = playground.output();
    expect(output).toContain(`port ${taken} on 127.0.0.1 is already in use`);
    const suggested = /npm start -- --port (\d+)/.exec(output);
    expect(suggested, output).not.toBeNull();
    expect(Number(suggested?.[1])).not.toBe(taken);
    expect(output).not.toMatch(READY);
  }, 90_000);

  it("stays quiet about WebSockets reset by the browser side, and Ctrl-C exits 0", async () => {
    const port = await freePort();
    playground = startPlayground(["--port", String(port)], "node");
    await playground.waitForOutput(READY, 60_000);

    // Two WebSockets through Vite's /socket.io proxy to the relay, then reset (RST) from the client
    // side, as a browser killed mid-connection does; one is reset after the relay accepted it.
    for (let i = 0; i < 2; i++) {
      const socket = await upgrade(port);
      socket.resetAndDestroy();
    }
    // Something the server answers after it has seen the resets; then Ctrl-C.
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    playground.signal("SIGINT");
    const code = await playground.exited(30_000);

    const output = playground.output();
    expect(code, output).toBe(0);
    expect(output).toContain("Stopping the playground");
    expect(output).not.toMatch(/proxy (socket )?error/);
    expect(output).not.toContain("ECONNRESET");
  }, 120_000);
});

/** Opens a WebSocket (engine.io) through the playground's proxy; resolves once the relay answered 101. */
async function upgrade(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  socket.write(
    [
      "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1",
      `Host: 127.0.0.1:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version: 13",
      "",
      "",
    ].join("\r\n"),
  );
  // Read the answer without consuming the socket (an async iterator would close it on `break`).
  const head = await new Promise<string>((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (!text.includes("\r\n\r\n")) return;
      socket.off("data", onData);
      socket.off("error", reject);
      socket.pause();
      resolve(text);
    };
    socket.on("data", onData);
    socket.once("error", reject);
  });
  if (!head.startsWith("HTTP/1.1 101")) throw new Error(`no WebSocket upgrade: ${head.slice(0, 200)}`);
  return socket;
}
