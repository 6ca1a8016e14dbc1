/**
 * React tests against a real relay (memory broker, port 0): a relay that counts what the bindings
 * do to it — HTTP requests and WebSocket upgrades (any connection attempt), socket.io connections,
 * and `join` / `leave` frames per room — plus tokens and a backend publish.
 *
 *   const relay = await startCountingRelay();   // afterEach: await relay.close()
 *   relay.joins("photo:1")                      // join frames the relay received for that room
 *
 * Tokens are ES256 (a key pair per relay), not the helpers' HS256: this project runs in jsdom,
 * whose global Uint8Array is not Node's, and jose (in the in-process relay) then refuses a
 * secret encoded by Node's TextEncoder. A KeyObject crosses that realm boundary fine.
 */
import { generateKeyPairSync } from "node:crypto";
import { SignJWT } from "jose";
import type { ReactNode } from "react";
import { MemoryHub } from "../../relay/brokers/memory/memory-hub.js";
import {
  publishEvent,
  startTestRelay,
  type TestRelay,
  type TestRelayOptions,
  type TokenClaims,
} from "../helpers/relay-server.js";

export const ROOM_CLAIMS = { rooms: ["photo:*"], publish: ["photo:*"] } as const;

export interface RelayCounts {
  /** HTTP requests (long-polling, health) and WebSocket upgrades: every connection attempt. */
  requests: number;
  upgrades: number;
  /** socket.io connections that passed the handshake. */
  connections: number;
  readonly joins: Map<string, number>;
  readonly leaves: Map<string, number>;
}

export interface CountingRelay extends TestRelay {
  readonly counts: RelayCounts;
  readonly hub: MemoryHub;
  joins(room: string): number;
  leaves(room: string): number;
  /** Publishes as a backend would (through the broker, with history). */
  toRoom(room: string, type: string, data: unknown): Promise<void>;
  toUser(userId: string, type: string, data: unknown): Promise<void>;
}

function roomOf(payload: unknown): string | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const room = (payload as { room?: unknown }).room;
  return typeof room === "string" ? room : undefined;
}

export interface CountingRelayOptions extends TestRelayOptions {
  /** History kept per channel (default: the broker's). */
  readonly history?: { readonly maxLength?: number };
}

export async function startCountingRelay(options: CountingRelayOptions = {}): Promise<CountingRelay> {
  const hub = new MemoryHub();
  const { history, ...relayOptions } = options;
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const server = await startTestRelay({
    broker: { broker: "memory", hub, ...(history && { history }) },
    auth: { publicKey: publicKey.export({ type: "spki", format: "pem" }).toString() },
    ...relayOptions,
  });
  const token = (sub: string, claims: TokenClaims = {}): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const { rooms, publish, roles, info, ttl } = claims;
    const lifetime = typeof ttl === "number" ? ttl : 3600;
    return new SignJWT({
      ...(rooms && { rooms }),
      ...(publish && { publish }),
      ...(roles && { roles }),
      ...(info && { info }),
    })
      .setProtectedHeader({ alg: "ES256" })
      .setSubject(sub)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetime)
      .sign(privateKey);
  };
  const counts: RelayCounts = {
    requests: 0,
    upgrades: 0,
    connections: 0,
    joins: new Map(),
    leaves: new Map(),
  };
  server.relay.httpServer.prependListener("request", () => counts.requests++);
  server.relay.httpServer.prependListener("upgrade", () => counts.upgrades++);
  server.relay.io.on("connection", (socket) => {
    counts.connections++;
    socket.onAny((frame: string, payload: unknown) => {
      const room = roomOf(payload);
      const map = frame === "join" ? counts.joins : frame === "leave" ? counts.leaves : undefined;
      if (map && room !== undefined) map.set(room, (map.get(room) ?? 0) + 1);
    });
  });
  return {
    ...server,
    token,
    counts,
    hub,
    joins: (room) => counts.joins.get(room) ?? 0,
    leaves: (room) => counts.leaves.get(room) ?? 0,
    async toRoom(room, type, data) {
      await publishEvent(server.broker, `room:${room}`, type, data);
    },
    async toUser(userId, type, data) {
      await publishEvent(server.broker, `user:${userId}`, type, data);
    },
  };
}

/** Renders children only while `show` is true (to unmount a part of the tree). */
export function Toggle({
  show,
  children,
}: {
  readonly show: boolean;
  readonly children: ReactNode;
}): ReactNode {
  return show ? children : null;
}
