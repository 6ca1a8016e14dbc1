/**
 * engine.io and socket.io spoken by hand, as a hostile client would: a raw WebSocket on the
 * engine.io endpoint, and HTTP long-polling with fetch. No socket.io-client in between, so a test
 * controls every packet (many CONNECTs in one frame or one POST) and can stop reading.
 *
 *   const ws = await rawWebSocket(relay.url);          // engine.io open; ws.pause() stops reading
 *   ws.send(connectPacket({ token }));
 *   const sid = await pollingOpen(relay.url);
 *   await pollingPost(relay.url, sid, [connectPacket({ token }), eventPacket(1, "hello", {})]);
 *   const packets = await pollingGet(relay.url, sid);  // one long-poll
 */
import { once } from "node:events";
import { WebSocket } from "ws";
import { PROTOCOL_VERSION } from "../../protocol/frames.js";

/** engine.io v4 separates the packets of one polling payload with a record separator. */
const SEPARATOR = "\x1e";

function engineUrl(url: string, transport: "websocket" | "polling", sid?: string): string {
  const base = url.replace(/^http/, transport === "websocket" ? "ws" : "http");
  const query = `EIO=4&transport=${transport}${sid ? `&sid=${encodeURIComponent(sid)}` : ""}`;
  return `${base}/socket.io/?${query}`;
}

/** socket.io CONNECT to the main namespace with `auth` (engine.io message "4" + socket.io "0"). */
export function connectPacket(auth: Record<string, unknown>): string {
  return `40${JSON.stringify("v" in auth ? auth : { ...auth, v: PROTOCOL_VERSION })}`;
}

/** socket.io EVENT `name` with one argument and ack id `ackId`. */
export function eventPacket(ackId: number, name: string, payload: unknown): string {
  return `42${ackId}${JSON.stringify([name, payload])}`;
}

/** A WebSocket on the engine.io endpoint, open (the engine.io OPEN packet may still be unread). */
export async function rawWebSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(engineUrl(url, "websocket"), { headers });
  ws.on("error", () => {});
  await once(ws, "open");
  return ws;
}

/** Opens a long-polling engine.io session; returns its sid. */
export async function pollingOpen(url: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(engineUrl(url, "polling"), { headers, signal: AbortSignal.timeout(5000) });
  const body = await response.text();
  if (!response.ok || !body.startsWith("0")) throw new Error(`polling handshake failed: ${body}`);
  return (JSON.parse(body.slice(1)) as { sid: string }).sid;
}

/** Sends packets in one POST; resolves to the HTTP status. */
export async function pollingPost(url: string, sid: string, packets: readonly string[]): Promise<number> {
  const response = await fetch(engineUrl(url, "polling", sid), {
    method: "POST",
    body: packets.join(SEPARATOR),
    headers: { "content-type": "text/plain;charset=UTF-8" },
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  return response.status;
}

/** One long-poll: the packets the relay had (or next has) for the session; status 400 when it is gone. */
export async function pollingGet(
  url: string,
  sid: string,
): Promise<{ readonly status: number; readonly packets: string[] }> {
  const response = await fetch(engineUrl(url, "polling", sid), { signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  return { status: response.status, packets: response.ok ? body.split(SEPARATOR) : [] };
}
