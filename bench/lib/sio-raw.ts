/**
 * Just enough Engine.IO v4 / socket.io v5 on a RawWebSocket to connect (with handshake auth),
 * answer pings, send events with acknowledgements and receive events — the same frames
 * socket.io-client sends, without its per-message decoding. test/helpers/relay-client.ts shows the
 * relay's frames with the real client.
 */
import { type ChunkCounter, RawWebSocket } from "./raw-ws.js";

export interface SioClient {
  readonly ws: RawWebSocket;
  /** Emits `event` with an ack id; resolves to the first argument of the ack. */
  request(event: string, payload: unknown, timeoutMs?: number): Promise<unknown>;
  /** Stops parsing: every later chunk goes to `counter` (which must answer pings itself). */
  countWith(counter: ChunkCounter): void;
  close(): void;
}

export interface SioHandlers {
  /** A server event (`42[name, ...args]`). */
  readonly onEvent?: (name: string, args: readonly unknown[]) => void;
  /** The connection is gone (server restart, kill, close). */
  readonly onClose?: () => void;
}

export class ConnectRefused extends Error {
  constructor(readonly data: unknown) {
    super(`connect_error: ${JSON.stringify(data)}`);
  }
}

const PATH = "/socket.io/?EIO=4&transport=websocket";

/** Connects the default namespace with `auth` (or none) and resolves once it is connected. */
export function connectSio(
  port: number,
  auth: object | null,
  handlers: SioHandlers = {},
  timeoutMs = 30_000,
): Promise<SioClient> {
  const acks = new Map<number, (value: unknown) => void>();
  let nextAck = 0;
  let connected: (error: Error | null) => void = () => {};
  const onText = (text: string, ws: RawWebSocket) => {
    if (text === "2") return ws.send("3");
    if (text.startsWith("0")) return ws.send(auth ? `40${JSON.stringify(auth)}` : "40");
    if (text.startsWith("40")) return connected(null);
    if (text.startsWith("44")) return connected(new ConnectRefused(safeParse(text.slice(2))));
    if (text.startsWith("42")) {
      const args = safeParse(text.slice(2));
      if (Array.isArray(args) && typeof args[0] === "string") handlers.onEvent?.(args[0], args.slice(1));
      return;
    }
    if (text.startsWith("43")) {
      const match = /^43(\d+)/.exec(text);
      const id = Number(match?.[1]);
      const args = safeParse(text.slice(2 + (match?.[1]?.length ?? 0)));
      acks.get(id)?.(Array.isArray(args) ? args[0] : undefined);
      acks.delete(id);
    }
  };
  const events = { onText, onClose: () => handlers.onClose?.() };
  return RawWebSocket.open(port, PATH, events, timeoutMs).then(
    (ws) =>
      new Promise<SioClient>((resolve, reject) => {
        const timer = setTimeout(() => connected(new Error("socket.io connect timed out")), timeoutMs);
        connected = (error) => {
          clearTimeout(timer);
          connected = () => {};
          if (error) {
            ws.close();
            reject(error);
            return;
          }
          resolve({
            ws,
            request(event, payload, ms = 30_000) {
              const id = nextAck++;
              return new Promise((ok, fail) => {
                const t = setTimeout(() => {
                  acks.delete(id);
                  fail(new Error(`no ack for ${event} within ${ms} ms`));
                }, ms);
                acks.set(id, (value) => {
                  clearTimeout(t);
                  ok(value);
                });
                ws.send(`42${id}${JSON.stringify([event, payload])}`);
              });
            },
            countWith: (counter) => ws.countWith(counter),
            close: () => ws.close(),
          });
        };
      }),
  );
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
