/**
 * The relay's composition root: builds every part with the narrow dependencies it needs and wires
 * them together — the HTTP server and socket.io (with the fan-out adapter), the bridge and the
 * broker-message dispatcher, presence, recovery, the frame handlers, the handshake, the sweep.
 * Nothing else in relay/edge sees more than its own slice.
 */
import { createServer, type Server as HttpServer } from "node:http";
import { Server, type ServerOptions } from "socket.io";
import { type ChannelNames, channelNames } from "../../protocol/channels.js";
import { RELAY_FRAMES } from "../../protocol/frames.js";
import { isRevoked, revokedBefore } from "../auth/revocation.js";
import type { TokenVerifier } from "../auth/verify-token.js";
import type { Broker } from "../brokers/broker.js";
import type { FrameHandlers } from "./connection/frame-gate.js";
import { handshakeMiddleware } from "./connection/handshake.js";
import { helloHandler } from "./connection/hello.js";
import { createKick, type Kick } from "./connection/kick.js";
import { createSocketCheck, onConnection } from "./connection/lifecycle.js";
import { ConnectionIndex } from "./connection/limits.js";
import { SocketSweep } from "./connection/sweep.js";
import { tokenRefreshHandler } from "./connection/token-refresh.js";
import { createDispatcher } from "./delivery/dispatch.js";
import { type DeliveryCounts, fanoutAdapter } from "./delivery/fanout-adapter.js";
import { historyHandler } from "./delivery/history.js";
import { Recovery } from "./delivery/recovery.js";
import { createHttpHandler } from "./operations/http.js";
import { errorFields, type RelayLogger } from "./operations/logger.js";
import { createMetrics, type RelayMetrics } from "./operations/metrics.js";
import { TaskSet } from "./operations/tasks.js";
import type { ResolvedRelayOptions } from "./options.js";
import { Bridge } from "./rooms/bridge.js";
import { PresenceTracker } from "./rooms/presence.js";
import { publishHandler } from "./rooms/publish.js";
import { roomHandlers } from "./rooms/room-frames.js";
import type { RelayServer, RelaySocket, RelayState } from "./types.js";

export interface RelayParts {
  readonly httpServer: HttpServer;
  readonly io: RelayServer;
  readonly names: ChannelNames;
  readonly metrics: RelayMetrics;
  readonly bridge: Bridge;
  readonly presence: PresenceTracker;
  readonly users: ConnectionIndex<RelaySocket>;
  readonly sweep: SocketSweep;
  readonly tasks: TaskSet;
  readonly state: RelayState;
}

export interface AssembleDeps {
  readonly options: ResolvedRelayOptions;
  readonly broker: Broker;
  readonly verify: TokenVerifier;
  readonly logger: RelayLogger;
}

export function assembleRelay({ options, broker, verify, logger }: AssembleDeps): RelayParts {
  const { clock, limits } = options;
  const names = channelNames(options.prefix);
  const state: RelayState = { shuttingDown: false };
  const counts: DeliveryCounts = { direct: 0, engine: 0 };
  const holder: { io?: RelayServer; kick?: Kick } = {};
  const bridge = new Bridge(
    broker,
    options.subscriptionLingerMs,
    clock,
    (channel, raw) => dispatch(channel, raw),
    (error, channel) => logger.warn({ channel, ...errorFields(error) }, "broker unsubscribe failed"),
  );
  const metrics = createMetrics(
    {
      connections: () => holder.io?.sockets.sockets.size ?? 0,
      rooms: () => bridge.channels().filter((c) => names.parse(c)?.kind === "room").length,
      channels: () => broker.subscriptions().channels.length,
      deliveries: () => counts,
    },
    options.processMetrics,
  );
  const httpServer = createServer(createHttpHandler({ broker, metrics, state, clock }));
  const onOverLimit = (id: string, bytes: number) => {
    const socket = io.sockets.sockets.get(id);
    if (!socket?.connected) return;
    metrics.slowConsumers.inc();
    logger.warn({ connectionId: id, bytes }, "slow consumer (at write)");
    kick(socket, "SLOW_CONSUMER", undefined, { discard: true });
  };
  const io: RelayServer = new Server(httpServer, {
    ...socketOptions(options, state),
    adapter: fanoutAdapter({
      direct: options.directFanout,
      maxBufferedBytes: limits.maxBufferedBytes,
      graceMs: limits.slowConsumerCheckMs,
      clock,
      onOverLimit,
      counts,
    }),
  });
  holder.io = io;
  const kick = createKick({ metrics, logger });
  const users = new ConnectionIndex<RelaySocket>();
  const dispatch = createDispatcher({
    io,
    names,
    limits,
    metrics,
    logger,
    clock,
    revoke: (userId, before) => {
      for (const socket of users.of(userId)) {
        if (isRevoked(socket.data.session.token.issuedAt, before)) kick(socket, "TOKEN_REVOKED");
      }
    },
  });
  const presence = new PresenceTracker(broker, options.presence, clock, (error) =>
    logger.warn(errorFields(error), "presence refresh failed"),
  );
  const revoked = (userId: string) => revokedBefore(broker, names.user(userId));
  const handlers = frameHandlers(options, {
    broker,
    verify,
    logger,
    names,
    bridge,
    presence,
    metrics,
    revoked,
  });
  const check = createSocketCheck({
    limits,
    tokenToleranceMs: (options.auth.clockToleranceSec ?? 5) * 1000,
    metrics,
    logger,
    kick,
  });
  const sweep = new SocketSweep(() => io.sockets.sockets.values(), limits.slowConsumerCheckMs, clock, check);
  const tasks = new TaskSet();
  const { authorize } = options;
  io.use(
    handshakeMiddleware({
      state,
      verify,
      revokedBefore: revoked,
      users,
      limits,
      authorize,
      clock,
      logger,
      metrics,
    }),
  );
  const lifecycle = {
    gate: { handlers, metrics, logger, kick },
    names,
    channels: bridge,
    presence,
    users,
    sweep,
    connected: () => io.sockets.sockets.size,
    tasks,
    revokedBefore: revoked,
    kick,
    logger,
  };
  io.on("connection", (socket) => onConnection(lifecycle, socket));
  return { httpServer, io, names, metrics, bridge, presence, users, sweep, tasks, state };
}

interface HandlerParts {
  readonly broker: Broker;
  readonly verify: TokenVerifier;
  readonly logger: RelayLogger;
  readonly names: ChannelNames;
  readonly bridge: Bridge;
  readonly presence: PresenceTracker;
  readonly metrics: RelayMetrics;
  readonly revoked: (userId: string) => Promise<number | null>;
}

function frameHandlers(options: ResolvedRelayOptions, parts: HandlerParts): FrameHandlers {
  const { broker, names, bridge: channels, presence, metrics, logger } = parts;
  const recovery = new Recovery(broker, metrics, options.recoveryPageSize);
  const limits = options.limits;
  return {
    hello: helloHandler({ names, channels, recovery, limits }),
    ...roomHandlers({ names, channels, presence, recovery, maxRoomsPerSocket: limits.maxRoomsPerSocket }),
    publish: publishHandler({ broker, names, limits, metrics, logger }),
    history: historyHandler({ names, recovery }),
    auth: tokenRefreshHandler({ verify: parts.verify, revokedBefore: parts.revoked, metrics }),
  };
}

function socketOptions(resolved: ResolvedRelayOptions, state: Readonly<RelayState>): Partial<ServerOptions> {
  const origins = resolved.corsOrigins;
  return {
    transports: resolved.longPolling ? ["polling", "websocket"] : ["websocket"],
    maxHttpBufferSize: resolved.limits.maxFrameBytes,
    serveClient: false,
    cors: { origin: origins === "*" ? "*" : [...origins] },
    allowRequest: (req, callback) => {
      if (state.shuttingDown) return callback("the relay is shutting down", false);
      const origin = req.headers.origin;
      if (origins !== "*" && origin !== undefined && !origins.includes(origin)) {
        return callback("origin not allowed", false);
      }
      callback(null, true);
    },
  };
}

/** Broker events: resync after a reconnect, and logs. Returns the unsubscriber. */
export function watchBroker(broker: Broker, parts: RelayParts, logger: RelayLogger): () => void {
  const offs = [
    broker.on("resubscribed", (channels) => {
      for (const channel of channels) {
        if (parts.bridge.has(channel)) parts.io.to(channel).emit(RELAY_FRAMES.resync, [channel]);
      }
      logger.info({ channels: channels.length }, "broker resubscribed; sent resync");
    }),
    broker.on("status", (status) => logger.info({ status }, "broker status")),
    broker.on("error", (error) => logger.warn(errorFields(error), "broker error")),
  ];
  return () => {
    for (const off of offs) off();
  };
}
