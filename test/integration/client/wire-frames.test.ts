/**
 * Protocol 3 at the client's edge, against a hand-crafted relay (a plain socket.io server writing
 * raw packets): the SDK says `v: 3`; a live `m` frame's message is an object that the SDK validates
 * — a malformed one is reported as a coded error and reaches no handler, while well-formed ones
 * around it are delivered in order; a handshake refused for its version surfaces PROTOCOL_MISMATCH.
 */
import { once } from "node:events";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server, type Socket } from "socket.io";
import { afterEach, describe, expect, it } from "vitest";
import { type EventBusError, isEventBusError } from "../../../protocol/errors.js";
import { type HelloResult, PROTOCOL_VERSION } from "../../../protocol/frames.js";
import { closeAllBuses, collect, testBus } from "../../helpers/client-bus.js";
import { collector } from "../../helpers/wait.js";

const EPOCH = "e1";
const TIME = "2026-01-01T00:00:00.000Z";

let http: HttpServer | undefined;
let io: Server | undefined;

afterEach(async () => {
  closeAllBuses();
  await io?.close();
  http?.close();
});

/** A socket.io server that answers `hello` like a relay and hands each connection to `onHello`. */
async function fakeRelay(options: {
  refuse?: { code: string; message: string };
  onHello?: (socket: Socket) => void;
}): Promise<{ url: string; auths: unknown[] }> {
  http = createServer();
  io = new Server(http, { transports: ["websocket"] });
  const auths: unknown[] = [];
  io.use((socket, next) => {
    auths.push(socket.handshake.auth);
    if (options.refuse) next(Object.assign(new Error(options.refuse.message), { data: options.refuse }));
    else next();
  });
  io.on("connection", (socket) => {
    socket.on("hello", (_request: unknown, ack: (reply: unknown) => void) => {
      const result: HelloResult = {
        userId: "u1",
        roles: [],
        connectionId: "c1",
        channels: [{ channel: "user:u1", position: { offset: 0, epoch: EPOCH } }],
        expiresAt: null,
        limits: { maxEventBytes: 1024 * 1024, maxDataBytes: 512 * 1024 },
      };
      ack({ ok: true, result });
      options.onHello?.(socket);
    });
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, auths };
}

function envelope(offset: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `0190a0b0-0000-7000-8000-${String(offset).padStart(12, "0")}`,
    type: "photo.uploaded",
    data: { i: offset },
    metadata: { source: "test", timestamp: TIME },
    offset,
    epoch: EPOCH,
    ...overrides,
  };
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { v: value };
  return value;
}

describe("protocol 3 at the client", () => {
  it("delivers object frames, refuses malformed ones with a coded error before any handler", async () => {
    // Raw socket.io packets, as a relay writes them: `2["m",<channel>,<message>]`.
    const frames = [
      `2["m","user:u1",${JSON.stringify(envelope(1))}]`,
      `2["m","user:u1",${JSON.stringify(envelope(2, { id: "not-an-id" }))}]`,
      `2["m","user:u1",${JSON.stringify(envelope(3, { type: "Bad Type!" }))}]`,
      `2["m","user:u1",${JSON.stringify(envelope(4, { data: nested(40) }))}]`,
      `2["m","user:u1",${JSON.stringify(envelope(5, { metadata: { source: "test", timestamp: "yesterday" } }))}]`,
      // the version-2 shape (the message as a JSON string) is not a version-3 message
      `2${JSON.stringify(["m", "user:u1", JSON.stringify(envelope(6))])}`,
      `2["m","user:u1",${JSON.stringify(envelope(7))}]`,
    ];
    const relay = await fakeRelay({
      onHello: (socket) =>
        setImmediate(() => {
          for (const frame of frames) socket.conn.write(frame);
        }),
    });
    const bus = testBus(relay.url, () => "token");
    const errors = collector<EventBusError>("errors");
    bus.on("error", (error) => errors.push(error));
    const events = collect(bus, "*");
    const got = await events.waitFor(2);
    expect(got.map((e) => [e.type, e.offset, e.data])).toEqual([
      ["photo.uploaded", 1, { i: 1 }],
      ["photo.uploaded", 7, { i: 7 }],
    ]);
    const refused = await errors.waitFor(5);
    expect(refused.map((e) => e.code)).toEqual([
      "INVALID_EVENT",
      "INVALID_TYPE",
      "INVALID_EVENT",
      "INVALID_EVENT",
      "INVALID_EVENT",
    ]);
    expect(refused.every((e) => isEventBusError(e))).toBe(true);
    // every frame was handled in order (7 was written last), so nothing else reached a handler
    expect(events.items).toHaveLength(2);
    expect(relay.auths).toEqual([{ token: "token", v: PROTOCOL_VERSION }]);
    expect(PROTOCOL_VERSION).toBe(3);
  });

  it("surfaces a refusal for the protocol version as PROTOCOL_MISMATCH", async () => {
    const relay = await fakeRelay({
      refuse: { code: "PROTOCOL_MISMATCH", message: "PROTOCOL_MISMATCH: this relay speaks version 4." },
    });
    const bus = testBus(relay.url, () => "token");
    const errors = collector<EventBusError>("errors");
    bus.on("error", (error) => errors.push(error));
    const [error] = await errors.waitFor(1);
    expect(error?.code).toBe("PROTOCOL_MISMATCH");
    expect(bus.store.getState().status).not.toBe("connected");
  });
});
