/**
 * The socket.io server and socket types of the relay, and the context every part of it shares.
 * Client → relay events are typed as `unknown` arguments on purpose: frames come from untrusted
 * sockets and are validated (validate.ts) before use.
 */
import type { Server, Socket } from "socket.io";
import type { ChannelNames } from "../../protocol/channels.js";
import type { WireError } from "../../protocol/errors.js";
import type { PresenceEvent, RELAY_FRAMES } from "../../protocol/frames.js";
import type { TokenVerifier } from "../auth/verify-token.js";
import type { Broker } from "../brokers/broker.js";
import type { ConnectionIndex } from "./connection/limits.js";
import type { Session } from "./connection/session.js";
import type { SocketSweep } from "./connection/sweep.js";
import type { Fanout } from "./delivery/fanout.js";
import type { RelayLogger } from "./operations/logger.js";
import type { RelayMetrics } from "./operations/metrics.js";
import type { TaskSet } from "./operations/tasks.js";
import type { RelayLimits, ResolvedRelayOptions } from "./options.js";
import type { Bridge } from "./rooms/bridge.js";
import type { PresenceTracker } from "./rooms/presence.js";

export interface RelayToClientEvents {
  [RELAY_FRAMES.message]: (channel: string, message: string) => void;
  [RELAY_FRAMES.presence]: (event: PresenceEvent) => void;
  [RELAY_FRAMES.resync]: (channels: readonly string[]) => void;
  [RELAY_FRAMES.notice]: (notice: WireError) => void;
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

export interface RelayContext {
  readonly io: RelayServer;
  readonly broker: Broker;
  readonly names: ChannelNames;
  readonly options: ResolvedRelayOptions;
  readonly limits: RelayLimits;
  readonly verify: TokenVerifier;
  readonly bridge: Bridge;
  readonly fanout: Fanout;
  readonly presence: PresenceTracker;
  readonly metrics: RelayMetrics;
  readonly logger: RelayLogger;
  readonly users: ConnectionIndex<RelaySocket>;
  readonly sweep: SocketSweep;
  /** Async work (cleanups) that close() waits for. */
  readonly tasks: TaskSet;
  readonly state: { shuttingDown: boolean };
}
