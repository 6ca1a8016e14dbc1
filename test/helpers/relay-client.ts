/**
 * A raw socket.io-client speaking the relay's frames (protocol/frames.ts) — no SDK, so relay tests
 * see exactly what goes over the wire. Every client is tracked; `closeAllClients()` in afterEach.
 *
 *   const client = await connectClient(url, token);
 *   const hello = await client.call("hello", {});
 *   await client.messages.waitFor(1);
 */
import { io, type Socket } from "socket.io-client";
import type { WireError } from "../../protocol/errors.js";
import {
  type ClientFrameMap,
  type ClientFrameName,
  PROTOCOL_VERSION,
  type PresenceEvent,
  RELAY_FRAMES,
  type Reply,
} from "../../protocol/frames.js";
import { type Collector, collector } from "./wait.js";

export interface ReceivedMessage {
  readonly channel: string;
  readonly raw: string;
  readonly message: { id: string; type: string; data: unknown; offset?: number; epoch?: string };
}

export interface TestClient {
  readonly socket: Socket;
  readonly messages: Collector<ReceivedMessage>;
  readonly notices: Collector<WireError>;
  readonly presence: Collector<PresenceEvent>;
  readonly resyncs: Collector<readonly string[]>;
  readonly disconnects: Collector<string>;
  /** Sends a frame with an ack; resolves to the relay's Reply (never rejects on an error reply). */
  request<N extends ClientFrameName>(name: N, payload: unknown): Promise<Reply<ClientFrameMap[N]["result"]>>;
  /** Like request, but resolves to the result and rejects with the wire error's code on an error reply. */
  call<N extends ClientFrameName>(
    name: N,
    payload: ClientFrameMap[N]["request"],
  ): Promise<ClientFrameMap[N]["result"]>;
  close(): void;
}

export interface ConnectOptions {
  readonly transports?: ("websocket" | "polling")[];
  readonly auth?: Record<string, unknown>;
  readonly extraHeaders?: Record<string, string>;
  readonly timeoutMs?: number;
}

const open = new Set<Socket>();

export function closeAllClients(): void {
  for (const socket of open) socket.disconnect();
  open.clear();
}

/** `auth` without a `v` key gets this protocol's version (`v: undefined`: send none). */
function createSocket(url: string, auth: Record<string, unknown>, options: ConnectOptions): Socket {
  const socket = io(url, {
    auth: "v" in auth ? auth : { ...auth, v: PROTOCOL_VERSION },
    transports: options.transports ?? ["websocket"],
    reconnection: false,
    forceNew: true,
    timeout: options.timeoutMs ?? 10_000,
    ...(options.extraHeaders && { extraHeaders: options.extraHeaders }),
  });
  open.add(socket);
  return socket;
}

export class ReplyError extends Error {
  constructor(readonly error: WireError) {
    super(`${error.code}: ${error.message}`);
  }
}

function wrap(socket: Socket): TestClient {
  const messages = collector<ReceivedMessage>("messages");
  const notices = collector<WireError>("notices");
  const presence = collector<PresenceEvent>("presence events");
  const resyncs = collector<readonly string[]>("resyncs");
  const disconnects = collector<string>("disconnects");
  // Protocol 3: the message arrives as an object; `raw` is its JSON text again, for assertions.
  socket.on(RELAY_FRAMES.message, (channel: string, message: unknown) =>
    messages.push({ channel, raw: JSON.stringify(message), message: message as ReceivedMessage["message"] }),
  );
  socket.on(RELAY_FRAMES.notice, (notice: WireError) => notices.push(notice));
  socket.on(RELAY_FRAMES.presence, (event: PresenceEvent) => presence.push(event));
  socket.on(RELAY_FRAMES.resync, (channels: readonly string[]) => resyncs.push(channels));
  socket.on("disconnect", (reason) => disconnects.push(reason));
  const request = <N extends ClientFrameName>(name: N, payload: unknown) =>
    socket.timeout(10_000).emitWithAck(name, payload) as Promise<Reply<ClientFrameMap[N]["result"]>>;
  return {
    socket,
    messages,
    notices,
    presence,
    resyncs,
    disconnects,
    request,
    async call(name, payload) {
      const reply = await request(name, payload);
      if (!reply.ok) throw new ReplyError(reply.error);
      return reply.result;
    },
    close() {
      socket.disconnect();
      open.delete(socket);
    },
  };
}

/** Connects and resolves once connected; rejects with a ReplyError carrying the connect_error data. */
export async function connectClient(
  url: string,
  token: string,
  options: ConnectOptions = {},
): Promise<TestClient> {
  const socket = createSocket(url, options.auth ?? { token, v: PROTOCOL_VERSION }, options);
  const client = wrap(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error: Error & { data?: WireError }) => {
      socket.disconnect();
      open.delete(socket);
      reject(error.data ? new ReplyError(error.data) : error);
    });
  });
  return client;
}

/** The WireError a refused handshake answers (fails if the connection is accepted). */
export async function connectError(url: string, auth: Record<string, unknown>, options: ConnectOptions = {}) {
  try {
    const client = await connectClient(url, "", { ...options, auth });
    client.close();
  } catch (error) {
    if (error instanceof ReplyError) return error.error;
    throw error;
  }
  throw new Error("the relay accepted a connection that should have been refused");
}
