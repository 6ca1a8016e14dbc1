/**
 * The built-in connection: socket.io v5 over Engine.IO v4 on one WebSocket — the part of the
 * protocol the relay speaks with this SDK: text frames, heartbeats, the handshake's `auth`,
 * connect errors with `data`, events and acknowledgements. No long-polling, no transport upgrade,
 * no binary packets: apps that need those import client/socket-io (socket.io-client).
 * Browsers use the global WebSocket; Node the `ws` package.
 */
import { systemClock } from "../common/clock.js";
import {
  connectError,
  relayEvent,
  requests,
  type SocketIoTransportOptions,
  type TransportFactory,
} from "./transport.js";

interface WebSocketLike {
  readonly readyState: number;
  onopen: (() => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onclose: (() => void) | null;
  onerror: (() => void) | null;
  send(data: string): void;
  close(): void;
}

type WebSocketClass = new (url: string) => WebSocketLike;

let wsPackage: Promise<WebSocketClass> | undefined;

/**
 * In a browser the global WebSocket; in Node the `ws` package's (loaded on first use), as
 * socket.io-client does: Node 20 has no global one, and under jsdom (React tests) the global is
 * undici's, which throws dispatching jsdom's events.
 */
function webSocketClass(): WebSocketClass | Promise<WebSocketClass> {
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  const global = (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
  if (global && !node) return global;
  const name = "ws"; // a variable: bundlers leave this import alone
  wsPackage ??= import(/* @vite-ignore */ /* webpackIgnore: true */ name).then(
    (m: { WebSocket: WebSocketClass }) => m.WebSocket,
  );
  return wsPackage;
}

/** The engine URL (ws/wss, path with a trailing slash, EIO=4) and the socket.io namespace (the URL's path). */
function endpoint(o: SocketIoTransportOptions): { readonly url: string; readonly nsp: string } {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  const url = new URL(o.url, page);
  const nsp = url.pathname === "" ? "/" : url.pathname;
  url.protocol = url.protocol === "https:" || url.protocol === "wss:" ? "wss:" : "ws:";
  url.pathname = `${(o.path ?? "/socket.io").replace(/\/$/, "")}/`;
  const query = o.socketOptions?.query as Record<string, string> | undefined;
  for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, String(value));
  url.searchParams.set("EIO", "4");
  url.searchParams.set("transport", "websocket");
  url.hash = "";
  return { url: url.href, nsp };
}

const OPEN = 1;

export function webSocketTransport(options: SocketIoTransportOptions): TransportFactory {
  return (auth, handlers) => {
    // The network's timers run on real time, as socket.io-client's do; requests time out on `clock`.
    const clock = systemClock;
    let socket: WebSocketLike | null = null;
    /** connecting → connected → done (closed by either side, or failed). */
    let state: "connecting" | "connected" | "done" = "connecting";
    let nsp = "/";
    let nextId = 0;
    const acks = new Map<number, (answer: unknown) => void>();
    const connectTimer: unknown = clock.setTimeout(() => fail(new Error("timeout")), options.connectTimeout);
    let pingTimer: unknown;
    let heartbeat = 0;

    const stop = (): void => {
      state = "done";
      clock.clearTimeout(connectTimer);
      clock.clearTimeout(pingTimer);
      acks.clear();
      if (socket) {
        socket.onopen = socket.onmessage = socket.onclose = null;
        socket.onerror = () => {}; // `ws` throws an error event nobody listens to
        socket.close();
      }
    };
    const fail = (error: Error & { data?: unknown }) => {
      if (state !== "connecting") return;
      stop();
      handlers.connectError(connectError(error, options.url));
    };
    const end = (reason: string) => {
      if (state === "connecting")
        return fail(new Error(reason.startsWith("transport") ? "websocket error" : reason));
      if (state === "done") return;
      stop();
      failAll();
      handlers.disconnect(reason);
    };
    const write = (text: string): boolean => {
      if (socket?.readyState !== OPEN) return false;
      socket.send(text);
      return true;
    };
    const prefix = (): string => (nsp === "/" ? "" : `${nsp},`);
    const { request, failAll } = requests(options, (frame, payload, ack) => {
      if (state !== "connected") return false;
      const id = nextId++;
      acks.set(id, ack);
      return write(`42${prefix()}${id}${JSON.stringify([frame, payload])}`);
    });
    const resetHeartbeat = (): void => {
      clock.clearTimeout(pingTimer);
      pingTimer = clock.setTimeout(() => end("ping timeout"), heartbeat);
    };

    /** One socket.io packet (an Engine.IO message). */
    const packet = (text: string) => {
      let i = 1;
      let space = "/";
      if (text[i] === "/") {
        const comma = text.indexOf(",", i);
        space = comma < 0 ? text.slice(i) : text.slice(i, comma);
        i = comma < 0 ? text.length : comma + 1;
      }
      if (space !== nsp) return;
      let idEnd = i;
      while (idEnd < text.length && text.charCodeAt(idEnd) >= 48 && text.charCodeAt(idEnd) <= 57) idEnd++;
      let body: unknown;
      try {
        body = idEnd < text.length ? JSON.parse(text.slice(idEnd)) : undefined;
      } catch {
        return end("parse error");
      }
      switch (text[0]) {
        case "0": // CONNECT
          if (state !== "connecting") return;
          state = "connected";
          clock.clearTimeout(connectTimer);
          return handlers.connect();
        case "4": {
          // CONNECT_ERROR
          const { message, data } = (body ?? {}) as { message?: unknown; data?: unknown };
          return fail(Object.assign(new Error(typeof message === "string" ? message : "refused"), { data }));
        }
        case "1": // DISCONNECT
          return end("io server disconnect");
        case "2": // EVENT
          if (Array.isArray(body) && state === "connected") relayEvent(handlers, body[0], body.slice(1));
          return;
        case "3": {
          // ACK
          const id = Number(text.slice(i, idEnd));
          const ack = acks.get(id);
          acks.delete(id);
          ack?.(Array.isArray(body) ? body[0] : undefined);
        }
      }
    };

    /** One Engine.IO packet. */
    const engine = (text: string) => {
      switch (text[0]) {
        case "0": {
          // OPEN: the heartbeat's pace, then the socket.io handshake with `auth`
          let open: { pingInterval?: unknown; pingTimeout?: unknown };
          try {
            open = JSON.parse(text.slice(1)) as typeof open;
          } catch {
            return end("parse error");
          }
          heartbeat = Number(open.pingInterval) + Number(open.pingTimeout);
          if (!(heartbeat > 0)) return end("parse error");
          resetHeartbeat();
          write(`40${prefix()}${JSON.stringify(auth)}`);
          return;
        }
        case "2": // PING
          resetHeartbeat();
          write("3");
          return;
        case "4":
          return packet(text.slice(1));
        case "1": // CLOSE
          return end("transport close");
      }
    };

    const open = (Class: WebSocketClass) => {
      if (state === "done") return;
      let target: ReturnType<typeof endpoint>;
      try {
        target = endpoint(options);
        nsp = target.nsp;
        socket = new Class(target.url);
      } catch (error) {
        return fail(error instanceof Error ? error : new Error(String(error)));
      }
      socket.onmessage = (event) => {
        if (typeof event.data === "string") engine(event.data);
      };
      socket.onerror = () => end("transport error");
      socket.onclose = () => end("transport close");
    };
    const Class = webSocketClass();
    if (typeof Class === "function") open(Class);
    else Class.then(open, (error: Error) => fail(error));

    return {
      request,
      close() {
        if (state !== "done") stop();
      },
    };
  };
}
