/**
 * The socket.io server and socket types of the relay. Client → relay events are typed as `unknown`
 * arguments on purpose: frames come from untrusted sockets and are validated
 * (connection/validate-frames.ts) before use. Handlers receive narrow dependencies of their own
 * (see each folder), never a bag of everything.
 */
import type { Server, Socket } from "socket.io";
import type { WireError } from "../../protocol/errors.js";
import type { LeftEvent, PresenceEvent, RELAY_FRAMES } from "../../protocol/frames.js";
import type { Session } from "./connection/session.js";

export interface RelayToClientEvents {
  /**
   * `message`: the message's validated JSON text, which the fan-out adapter splices into the packet
   * as JSON (delivery/message-packet.ts); clients receive it as an object (protocol 3).
   */
  [RELAY_FRAMES.message]: (channel: string, message: string) => void;
  [RELAY_FRAMES.presence]: (event: PresenceEvent) => void;
  [RELAY_FRAMES.resync]: (channels: readonly string[]) => void;
  [RELAY_FRAMES.notice]: (notice: WireError) => void;
  [RELAY_FRAMES.left]: (event: LeftEvent) => void;
}

export type ClientToRelayEvents = Record<string, (...args: unknown[]) => void>;

export interface RelaySocketData {
  session: Session;
}

export type RelayServer = Server<
  ClientToRelayEvents,
  RelayToClientEvents,
  Record<string, never>,
  RelaySocketData
>;
export type RelaySocket = Socket<
  ClientToRelayEvents,
  RelayToClientEvents,
  Record<string, never>,
  RelaySocketData
>;

/** What room handlers use of a socket: its id, its session, and socket.io room membership. */
export type MemberSocket = Pick<RelaySocket, "id" | "data" | "join" | "leave" | "conn" | "emit">;

/** The relay's shutdown flag, shared by the handshake, /readyz and the drain. */
export interface RelayState {
  shuttingDown: boolean;
}
