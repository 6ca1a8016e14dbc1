/**
 * `createRelay(options)`: the edge relay, programmatically. An HTTP server with socket.io (default
 * in-memory adapter, no Connection State Recovery, WebSocket only unless long-polling is enabled),
 * JWT handshakes, the broker bridge, presence, limits, /healthz /readyz /metrics, graceful close.
 *
 *   const relay = await createRelay({ port: 0, auth: { secret } });
 *   relay.url  // http://127.0.0.1:<port>
 *   await relay.close();
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server, type ServerOptions } from "socket.io";
import { channelNames } from "../../protocol/channels.js";
import { EventBusError, toEventBusError } from "../../protocol/errors.js";
import { RELAY_FRAMES } from "../../protocol/frames.js";
import { createTokenVerifier } from "../auth/verify-token.js";
import type { Broker } from "../brokers/broker.js";
import { type BrokerConfig, createBroker } from "../brokers/create-broker.js";
import { handshakeMiddleware } from "./connection/handshake.js";
import { checkSocket, onConnection } from "./connection/lifecycle.js";
import { ConnectionIndex } from "./connection/limits.js";
import { SocketSweep } from "./connection/sweep.js";
import { dispatchMessage } from "./delivery/dispatch.js";
import { Fanout } from "./delivery/fanout.js";
import { createHttpHandler } from "./operations/http.js";
import { createLogger, errorFields, type RelayLogger } from "./operations/logger.js";
import { createMetrics, type RelayMetrics } from "./operations/metrics.js";
import { drain } from "./operations/shutdown.js";
import { TaskSet } from "./operations/tasks.js";
import { configError, type RelayOptions, type ResolvedRelayOptions, resolveRelayOptions } from "./options.js";
import { Bridge } from "./rooms/bridge.js";
import { PresenceTracker } from "./rooms/presence.js";
import type { RelayContext, RelayServer } from "./types.js";

export interface RelayStats {
  readonly connections: number;
  readonly users: number;
  /** Channels held in the broker by this relay (including lingering ones). */
  readonly channels: readonly string[];
  readonly presenceChannels: readonly string[];
  readonly pendingTasks: number;
}

export interface Relay {
  readonly httpServer: HttpServer;
  readonly io: RelayServer;
  readonly broker: Broker;
  readonly metrics: RelayMetrics;
  readonly logger: RelayLogger;
  readonly port: number;
  /** http://<host>:<port>, for clients on this machine. */
  readonly url: string;
  stats(): RelayStats;
  /** Drains (notice SERVER_SHUTDOWN, flush, disconnect) then closes everything it owns. Idempotent. */
  close(options?: { readonly timeoutMs?: number }): Promise<void>;
}

function isBroker(value: Broker | BrokerConfig): value is Broker {
  return typeof (value as Broker).subscribe === "function";
}

/** The broker shares the relay's channel prefix (the cluster broker needs it to pick sharded pub/sub). */
function withPrefix(config: BrokerConfig, prefix: string): BrokerConfig {
  if (config.prefix !== undefined && config.prefix !== prefix) {
    throw configError(
      `broker.prefix ${JSON.stringify(config.prefix)} differs from prefix ${JSON.stringify(prefix)}; set one prefix.`,
    );
  }
  return { ...config, prefix };
}

export async function createRelay(options: RelayOptions): Promise<Relay> {
  const given = options.broker ?? { broker: "memory" };
  const owned = !isBroker(given);
  const configPrefix = isBroker(given) ? undefined : given.prefix;
  const resolved = resolveRelayOptions({ ...options, prefix: options.prefix ?? configPrefix ?? "" });
  const verify = createTokenVerifier(resolved.auth);
  const logger = options.logger ?? createLogger(options.logLevel ?? "info");
  const broker = isBroker(given) ? given : createBroker(withPrefix(given, resolved.prefix));
  try {
    await broker.connect();
    return await start(resolved, { broker, owned, logger, verify });
  } catch (error) {
    if (owned) await broker.close().catch(() => {});
    throw error;
  }
}

interface StartDeps {
  readonly broker: Broker;
  readonly owned: boolean;
  readonly logger: RelayLogger;
  readonly verify: ReturnType<typeof createTokenVerifier>;
}

async function start(resolved: ResolvedRelayOptions, deps: StartDeps): Promise<Relay> {
  const ctx = buildContext(resolved, deps);
  ctx.io.use(handshakeMiddleware(ctx));
  ctx.io.on("connection", (socket) => onConnection(ctx, socket));
  const offBroker = watchBroker(ctx);
  try {
    await listen(ctx.httpServer, resolved.port, resolved.host);
  } catch (error) {
    offBroker(); // the caller closes the broker: that is not news for the log
    ctx.sweep.stop();
    ctx.presence.close();
    await ctx.io.close();
    throw error;
  }
  const port = (ctx.httpServer.address() as AddressInfo).port;
  const host = resolved.host === "0.0.0.0" || resolved.host === "::" ? "127.0.0.1" : resolved.host;
  deps.logger.info({ port, host: resolved.host, broker: deps.broker.kind }, "relay listening");
  let closing: Promise<void> | undefined;
  return {
    httpServer: ctx.httpServer,
    io: ctx.io,
    broker: deps.broker,
    metrics: ctx.metrics,
    logger: deps.logger,
    port,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    stats: () => ({
      connections: ctx.io.sockets.sockets.size,
      users: ctx.users.users,
      channels: ctx.bridge.channels(),
      presenceChannels: ctx.presence.channels(),
      pendingTasks: ctx.tasks.size,
    }),
    close(closeOptions = {}) {
      closing ??= shutdown(ctx, deps, closeOptions.timeoutMs ?? resolved.shutdownTimeoutMs, offBroker);
      return closing;
    },
  };
}

type Context = RelayContext & { readonly httpServer: HttpServer };

function buildContext(resolved: ResolvedRelayOptions, deps: StartDeps): Context {
  const { broker, logger } = deps;
  const state = { shuttingDown: false };
  const names = channelNames(resolved.prefix);
  // Callbacks below run only after the context exists; `late` lets them reach it.
  const late: { ctx?: Context } = {};
  const bridge = new Bridge(
    broker,
    resolved.subscriptionLingerMs,
    (channel, raw) => late.ctx && dispatchMessage(late.ctx, channel, raw),
    (error, channel) => logger.warn({ channel, ...errorFields(error) }, "broker unsubscribe failed"),
  );
  const { io, httpServer, metrics } = buildServer(resolved, broker, bridge, state);
  const sweep = new SocketSweep(
    () => io.sockets.sockets.values(),
    resolved.limits.slowConsumerCheckMs,
    (socket, now) => late.ctx && checkSocket(late.ctx, socket, now),
  );
  const presence = new PresenceTracker(broker, resolved.presence, (error) =>
    logger.warn(errorFields(error), "presence refresh failed"),
  );
  const options = { options: resolved, limits: resolved.limits, verify: deps.verify };
  const parts = { io, broker, names, bridge, presence, metrics, logger, sweep, state, httpServer };
  late.ctx = {
    ...options,
    ...parts,
    fanout: new Fanout(io),
    users: new ConnectionIndex(),
    tasks: new TaskSet(),
  };
  return late.ctx;
}

/** The HTTP server (health, metrics), socket.io on it, and the metrics registry reading both. */
function buildServer(
  resolved: ResolvedRelayOptions,
  broker: Broker,
  bridge: Bridge,
  state: { shuttingDown: boolean },
) {
  const holder: { io?: RelayServer } = {};
  const names = channelNames(resolved.prefix);
  const metrics = createMetrics(
    {
      connections: () => holder.io?.sockets.sockets.size ?? 0,
      rooms: () => bridge.channels().filter((c) => names.parse(c)?.kind === "room").length,
      channels: () => broker.subscriptions().channels.length,
    },
    resolved.processMetrics,
  );
  const httpServer = createServer(createHttpHandler({ broker, metrics, state }));
  const io: RelayServer = new Server(httpServer, socketOptions(resolved, state));
  holder.io = io;
  return { io, httpServer, metrics };
}

function socketOptions(
  resolved: ResolvedRelayOptions,
  state: { readonly shuttingDown: boolean },
): Partial<ServerOptions> {
  const origins = resolved.corsOrigins;
  const transports: NonNullable<ServerOptions["transports"]> = resolved.longPolling
    ? ["polling", "websocket"]
    : ["websocket"];
  return {
    transports,
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

/** Broker events: resync after a reconnect, and logs. */
function watchBroker(ctx: RelayContext): () => void {
  const offs = [
    ctx.broker.on("resubscribed", (channels) => {
      for (const channel of channels) {
        if (ctx.bridge.has(channel)) ctx.io.to(channel).emit(RELAY_FRAMES.resync, [channel]);
      }
      ctx.logger.info({ channels: channels.length }, "broker resubscribed; sent resync");
    }),
    ctx.broker.on("status", (status) => ctx.logger.info({ status }, "broker status")),
    ctx.broker.on("error", (error) => ctx.logger.warn(errorFields(error), "broker error")),
  ];
  return () => {
    for (const off of offs) off();
  };
}

async function listen(server: HttpServer, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => reject(listenError(error, port, host));
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      resolve();
    });
  });
}

/** Why the relay cannot listen, coded: a taken port, a privileged port, an address not on this machine. */
function listenError(error: Error, port: number, host: string): EventBusError {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${host}:${port}`;
  if (code === "EADDRINUSE") {
    return new EventBusError("ADDRESS_IN_USE", `Another process is listening on ${where} (EADDRINUSE).`);
  }
  if (code === "EACCES") {
    return new EventBusError("CONFIG_INVALID", `This process may not listen on ${where} (EACCES).`, {
      hint: "Use a port above 1023 (--port / PORT), or grant the process the right to bind low ports.",
    });
  }
  if (code === "EADDRNOTAVAIL") {
    return new EventBusError("CONFIG_INVALID", `${host} is not an address of this machine (EADDRNOTAVAIL).`, {
      hint: "Bind 0.0.0.0 (every interface), 127.0.0.1, or one of this machine's addresses (--host / HOST).",
    });
  }
  return toEventBusError(error);
}

async function shutdown(
  ctx: Context,
  deps: StartDeps,
  timeoutMs: number,
  offBroker: () => void,
): Promise<void> {
  await drain(ctx, timeoutMs);
  ctx.sweep.stop();
  ctx.presence.close();
  const httpClosed = new Promise<void>((resolve) => ctx.httpServer.once("close", () => resolve()));
  await ctx.io.close();
  ctx.httpServer.closeAllConnections();
  await httpClosed;
  await ctx.tasks.settled();
  await ctx.bridge.close();
  offBroker();
  if (deps.owned) await deps.broker.close();
  ctx.logger.info("relay closed");
}
