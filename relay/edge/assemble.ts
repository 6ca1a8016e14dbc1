/**
 * The relay's composition root: builds every part with the narrow dependencies it needs and wires
 * them together — the HTTP server and socket.io (with the fan-out adapter), the bridge and the
 * broker-message dispatcher, presence, recovery, the frame handlers, the handshake, the sweep.
 * Nothing else in relay/edge sees more than its own slice.
 */
import { createServer, type Server as HttpServer, type RequestListener } from "node:http";
import { Server, type ServerOptions } from "socket.io";
import { createRepeater } from "../../common/clock.js";
import { type ChannelNames, channelNames } from "../../protocol/channels.js";
import type { RewindRequest } from "../../protocol/rewind.js";
import { isRevoked, revokedBefore } from "../auth/revocation.js";
import type { TokenVerifier } from "../auth/verify-token.js";
import type { Broker } from "../brokers/broker.js";
import { clientAddress, connectionGuard } from "./connection/connect-guard.js";
import { type CutReasons, createCutReasons } from "./connection/cut-reasons.js";
import type { FrameHandlers } from "./connection/frame-gate.js";
import { handshakeMiddleware } from "./connection/handshake.js";
import { helloHandler } from "./connection/hello.js";
import { createKick } from "./connection/kick.js";
import {
  connectionHandler,
  createSocketCheck,
  type LifecycleDeps,
  type SocketCheckDeps,
} from "./connection/lifecycle.js";
import { ConnectionIndex, KeyedBuckets } from "./connection/limits.js";
import { SocketSweep } from "./connection/sweep.js";
import { tokenRefreshHandler } from "./connection/token-refresh.js";
import { type Conflation, createConflation } from "./delivery/conflation.js";
import { createDispatcher } from "./delivery/dispatch.js";
import { type DeliveryCounts, fanoutAdapter } from "./delivery/fanout-adapter.js";
import { historyHandler } from "./delivery/history.js";
import { createPacer } from "./delivery/pacing.js";
import { Recovery } from "./delivery/recovery.js";
import { rewindStart } from "./delivery/rewind.js";
import { type RollbackWatch, relayRollbackWatch } from "./delivery/rollback-watch.js";
import { createHttpHandler } from "./operations/http.js";
import { errorFields, type RelayLogger } from "./operations/logger.js";
import { createMetrics, type RelayMetrics } from "./operations/metrics.js";
import { RefusalLog } from "./operations/refusal-log.js";
import { TaskSet } from "./operations/tasks.js";
import type { ResolvedRelayOptions } from "./options.js";
import { Bridge } from "./rooms/bridge.js";
import { PresenceTracker } from "./rooms/presence.js";
import { publishHandler } from "./rooms/publish.js";
import { roomHandlers } from "./rooms/room-frames.js";
import type { SseHub } from "./sse/sse-hub.js";
import { SSE_PATH, setupSse } from "./sse/sse-setup.js";
import type { RelayServer, RelaySocket, RelayState } from "./types.js";

export interface RelayParts {
  readonly httpServer: HttpServer;
  /** The separate /metrics listener, when `metrics.port` is set. */
  readonly metricsServer: HttpServer | undefined;
  readonly io: RelayServer;
  readonly names: ChannelNames;
  readonly metrics: RelayMetrics;
  readonly bridge: Bridge;
  readonly presence: PresenceTracker;
  readonly users: ConnectionIndex<RelaySocket>;
  readonly sweep: SocketSweep;
  readonly tasks: TaskSet;
  readonly state: RelayState;
  readonly rollback: RollbackWatch;
  /** Latest-only holds of sockets that are behind. */
  readonly conflation: Conflation;
  /** The SSE streams (GET /events). */
  readonly sse: SseHub;
  /** Stops the relay's own timers (upkeep, refusal log). */
  readonly stop: () => void;
}

export interface AssembleDeps {
  readonly options: ResolvedRelayOptions;
  readonly broker: Broker;
  readonly verify: TokenVerifier;
  readonly logger: RelayLogger;
}

export function assembleRelay(deps: AssembleDeps): RelayParts {
  const { options, broker, logger } = deps;
  const names = channelNames(options.prefix);
  const state: RelayState = { shuttingDown: false };
  const users = new ConnectionIndex<RelaySocket>();
  const late: { dispatch?: (channel: string, raw: string) => void; sse?: SseHub } = {};
  const bridge = new Bridge(
    broker,
    options.subscriptionLingerMs,
    options.clock,
    (channel, raw) => late.dispatch?.(channel, raw),
    (error, channel) => logger.warn({ channel, ...errorFields(error) }, "broker unsubscribe failed"),
  );
  const { httpServer, metricsServer, io, metrics, kick, cutReasons, routes } = buildServer(deps, {
    names,
    state,
    bridge,
  });
  const conflation = createConflation(
    io,
    { rules: options.latestOnly, behindBytes: options.latestOnlyBehindBytes, maxKeys: MAX_HELD_PER_SOCKET },
    options.clock,
    () => metrics.conflated.inc(),
  );
  const resyncOthers = (channel: string) => late.sse?.resync(channel);
  const rollback = relayRollbackWatch({ broker, bridge, io, metrics, logger, resyncOthers });
  late.dispatch = createDispatcher({
    io,
    names,
    limits: options.limits,
    metrics,
    logger,
    clock: options.clock,
    rollback,
    conflation,
    others: (channel, raw, position, id) => late.sse?.deliver(channel, raw, position, id) ?? 0,
    revoke: (userId, before) => {
      for (const socket of users.of(userId)) {
        if (isRevoked(socket.data.session.token.issuedAt, before)) kick(socket, "TOKEN_REVOKED");
      }
      late.sse?.revoke(userId, before);
    },
  });
  const presence = new PresenceTracker(broker, options.presence, options.clock, (error) =>
    logger.warn(errorFields(error), "presence refresh failed"),
  );
  const revoked = (userId: string) => revokedBefore(broker, names.user(userId));
  const { limits, clock } = options;
  const budgets = new KeyedBuckets(limits.publishBurstBytes, limits.publishBytesPerSecond, clock);
  const handlers = frameHandlers(options, {
    ...deps,
    ...{ names, bridge, presence, metrics, revoked, budgets, cutReasons },
  });
  const sweep = socketSweep(options, io, { metrics, logger, kick });
  const tasks = new TaskSet();
  const guard = guardHandshakes(io, options, logger);
  const sse = setupSse({
    ...{ options, broker, state, names, channels: bridge, verify: deps.verify, logger, metrics },
    ...{ revokedBefore: revoked, socketsOf: (userId: string) => users.count(userId), ...guard },
  });
  late.sse = sse.hub;
  routes[SSE_PATH] = sse.route;
  io.use(
    handshakeMiddleware({
      ...deps,
      ...guard,
      state,
      revokedBefore: revoked,
      users,
      ...authOf(options),
      metrics,
      trustProxy: options.trustProxy,
      othersOf: (userId) => sse.hub.count(userId),
    }),
  );
  const lifecycle: LifecycleDeps = {
    gate: { handlers, metrics, logger, kick },
    ...{ names, channels: bridge, presence, users, sweep, tasks, revokedBefore: revoked, kick, logger },
    connected: () => io.sockets.sockets.size,
  };
  io.on("connection", connectionHandler(lifecycle));
  const upkeep = createRepeater(clock, UPKEEP_MS, () => {
    guard.addresses.forgetFull();
    budgets.forgetFull();
  });
  upkeep.start();
  const stop = () => {
    upkeep.stop();
    conflation.stop();
    sse.hub.stop();
    guard.refusals.close();
  };
  return {
    httpServer,
    metricsServer,
    io,
    names,
    metrics,
    bridge,
    presence,
    users,
    sweep,
    tasks,
    state,
    rollback,
    conflation,
    sse: sse.hub,
    stop,
  };
}

function authOf(options: ResolvedRelayOptions) {
  return { limits: options.limits, authorize: options.authorize, clock: options.clock };
}

interface ServerParts {
  readonly names: ChannelNames;
  readonly state: RelayState;
  readonly bridge: Bridge;
}

/** The HTTP server, socket.io on it with the fan-out adapter, the metrics reading both, and kick. */
function buildServer({ options, broker, logger }: AssembleDeps, { names, state, bridge }: ServerParts) {
  const counts: DeliveryCounts = { direct: 0, engine: 0 };
  const holder: { io?: RelayServer } = {};
  const metrics = createMetrics(
    {
      connections: () => holder.io?.sockets.sockets.size ?? 0,
      rooms: () => bridge.channels().filter((c) => names.parse(c)?.kind === "room").length,
      channels: () => broker.subscriptions().channels.length,
      deliveries: () => counts,
    },
    options.processMetrics,
  );
  const cutReasons = createCutReasons(broker, names, (error) =>
    logger.warn(errorFields(error), "could not store why a connection was cut"),
  );
  const kick = createKick({ metrics, logger, remember: cutReasons.remember });
  const onOverLimit = (id: string, bytes: number) => {
    const socket = holder.io?.sockets.sockets.get(id);
    if (!socket?.connected) return;
    metrics.slowConsumers.inc();
    logger.warn({ connectionId: id, bytes }, "slow consumer (at write)");
    kick(socket, "SLOW_CONSUMER", undefined, { discard: true });
  };
  const { limits, clock } = options;
  const separate = options.metrics.port !== undefined;
  const http = { broker, metrics, state, clock, metricsToken: options.metrics.token };
  const routes: Record<string, RequestListener> = {}; // filled once the SSE route is built
  const httpServer = createServer(createHttpHandler({ ...http, serveMetrics: !separate, routes }));
  const metricsServer = separate
    ? createServer(createHttpHandler({ ...http, serveMetrics: true }))
    : undefined;
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
  return { httpServer, metricsServer, io, metrics, kick, cutReasons, routes };
}

function socketSweep(
  options: ResolvedRelayOptions,
  io: RelayServer,
  deps: Pick<SocketCheckDeps, "metrics" | "logger" | "kick">,
): SocketSweep {
  const check = createSocketCheck({
    ...deps,
    limits: options.limits,
    tokenToleranceMs: (options.auth.clockToleranceSec ?? 5) * 1000,
  });
  return new SocketSweep(
    () => io.sockets.sockets.values(),
    options.limits.slowConsumerCheckMs,
    options.clock,
    check,
  );
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
  readonly budgets: KeyedBuckets;
  readonly cutReasons: CutReasons;
}

function frameHandlers(options: ResolvedRelayOptions, parts: HandlerParts): FrameHandlers {
  const { broker, names, bridge: channels, presence, metrics, logger, budgets } = parts;
  const { limits, clock } = options;
  const recovery = new Recovery(
    broker,
    metrics,
    options.recoveryPageSize,
    limits.maxPageBytes,
    options.latestOnly,
  );
  const rewind = (channel: string, request: RewindRequest) =>
    rewindStart(broker, channel, request, clock, options.recoveryPageSize);
  const pacer = createPacer(limits, clock);
  return {
    hello: helloHandler({ names, channels, recovery, pacer, limits, cutReasons: parts.cutReasons }),
    ...roomHandlers({ names, channels, presence, recovery, rewind, pacer, limits }),
    publish: publishHandler({ broker, names, limits, metrics, logger, budgets }),
    history: historyHandler({ names, recovery, pacer, limits }),
    auth: tokenRefreshHandler({
      verify: parts.verify,
      revokedBefore: parts.revoked,
      metrics,
      names,
      channels,
      presence,
      recovery,
    }),
  };
}

/** Latest-only messages held per socket before its holds are written out anyway. */
const MAX_HELD_PER_SOCKET = 1000;

/** How often idle (full again) per-address and per-user buckets are forgotten. */
const UPKEEP_MS = 60_000;

/** One CONNECT per engine.io connection, per-address handshake budgets, aggregated refusal logs. */
function guardHandshakes(io: RelayServer, options: ResolvedRelayOptions, logger: RelayLogger) {
  const { limits, clock, trustProxy } = options;
  const refusals = new RefusalLog(logger, clock);
  const addresses = new KeyedBuckets(limits.handshakeBurst, limits.handshakesPerSecond, clock);
  io.engine.on(
    "connection",
    connectionGuard((conn) => refusals.refused(clientAddress(conn.request, trustProxy), "INVALID_FRAME")),
  );
  return { refusals, addresses };
}

function socketOptions(resolved: ResolvedRelayOptions, state: Readonly<RelayState>): Partial<ServerOptions> {
  const origins = resolved.corsOrigins;
  return {
    connectTimeout: resolved.limits.authTimeoutMs,
    transports: resolved.longPolling ? ["polling", "websocket"] : ["websocket"],
    maxHttpBufferSize: resolved.limits.maxFrameBytes,
    pingInterval: resolved.heartbeat.intervalMs,
    pingTimeout: resolved.heartbeat.timeoutMs,
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

/**
 * Broker events: resync after a reconnect (once the rollback watch checked each channel's history),
 * and logs. Returns the unsubscriber.
 */
export function watchBroker(broker: Broker, parts: RelayParts, logger: RelayLogger): () => void {
  const offs = [
    broker.on("resubscribed", (channels) => {
      parts.rollback.resubscribed(channels.filter((channel) => parts.bridge.has(channel)));
      logger.info({ channels: channels.length }, "broker resubscribed; sending resync");
    }),
    broker.on("status", (status) => {
      if (status === "reconnecting") parts.rollback.outage();
      if (status === "ready") parts.rollback.restored();
      logger.info({ status }, "broker status");
    }),
    broker.on("error", (error) => logger.warn(errorFields(error), "broker error")),
  ];
  return () => {
    for (const off of offs) off();
  };
}
