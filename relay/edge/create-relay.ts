/**
 * `createRelay(options)`: the edge relay, programmatically. An HTTP server with socket.io (the
 * fan-out adapter, no Connection State Recovery, WebSocket only unless long-polling is enabled),
 * JWT handshakes, the broker bridge, presence, limits, /healthz /readyz /metrics, graceful close.
 *
 *   const relay = await createRelay({ port: 0, auth: { secret } });
 *   relay.url  // http://127.0.0.1:<port>
 *   await relay.close();
 *
 * Folders: connection/ (handshake, session, frame gate, hello, token refresh, sweep), rooms/ (join,
 * leave, presence, the broker bridge, client publishes), delivery/ (broker messages to sockets,
 * fan-out, recovery, history, slow consumers), operations/ (HTTP endpoints, metrics, logs,
 * shutdown); assemble.ts wires them.
 */
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { EventBusError, toEventBusError } from "../../protocol/errors.js";
import { createTokenVerifier, type TokenVerifier } from "../auth/verify-token.js";
import type { Broker } from "../brokers/broker.js";
import { type BrokerConfig, createBroker } from "../brokers/create-broker.js";
import { assembleRelay, type RelayParts, watchBroker } from "./assemble.js";
import { createLogger, type RelayLogger } from "./operations/logger.js";
import type { RelayMetrics } from "./operations/metrics.js";
import { drain } from "./operations/shutdown.js";
import { configError, type RelayOptions, type ResolvedRelayOptions, resolveRelayOptions } from "./options.js";
import { SSE_RETRY_MS } from "./sse/sse-setup.js";
import type { RelayServer } from "./types.js";

export interface RelayStats {
  readonly connections: number;
  /** Open Server-Sent Events streams (GET /events). */
  readonly sseStreams: number;
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
  /** Where /metrics is served: `${url}/metrics`, or the separate metrics listener's (options.metrics.port). */
  readonly metricsUrl: string;
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
  readonly verify: TokenVerifier;
}

async function start(resolved: ResolvedRelayOptions, deps: StartDeps): Promise<Relay> {
  const parts = assembleRelay({ options: resolved, ...deps });
  const offBroker = watchBroker(deps.broker, parts, deps.logger);
  try {
    await listen(parts.httpServer, resolved.port, resolved.host);
    if (parts.metricsServer) {
      await listen(parts.metricsServer, resolved.metrics.port ?? 0, resolved.metrics.host ?? "127.0.0.1");
    }
  } catch (error) {
    offBroker(); // the caller closes the broker: that is not news for the log
    parts.sweep.stop();
    parts.stop();
    parts.presence.close();
    parts.metricsServer?.close();
    await parts.io.close();
    throw error;
  }
  const port = (parts.httpServer.address() as AddressInfo).port;
  const url = urlOf(resolved.host, port);
  const metricsUrl = parts.metricsServer
    ? `${urlOf(resolved.metrics.host ?? "127.0.0.1", (parts.metricsServer.address() as AddressInfo).port)}/metrics`
    : `${url}/metrics`;
  deps.logger.info({ port, host: resolved.host, broker: deps.broker.kind, metricsUrl }, "relay listening");
  let closing: Promise<void> | undefined;
  return {
    httpServer: parts.httpServer,
    io: parts.io,
    broker: deps.broker,
    metrics: parts.metrics,
    logger: deps.logger,
    port,
    url,
    metricsUrl,
    stats: () => ({
      connections: parts.io.sockets.sockets.size,
      sseStreams: parts.sse.size,
      users: parts.users.users,
      channels: parts.bridge.channels(),
      presenceChannels: parts.presence.channels(),
      pendingTasks: parts.tasks.size,
    }),
    close(closeOptions = {}) {
      const timeoutMs = closeOptions.timeoutMs ?? resolved.shutdownTimeoutMs;
      closing ??= shutdown(parts, resolved, deps, timeoutMs, offBroker);
      return closing;
    },
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

/** A URL for clients on this machine: a wildcard bind is reached on 127.0.0.1. */
function urlOf(bound: string, port: number): string {
  const host = bound === "0.0.0.0" || bound === "::" ? "127.0.0.1" : bound;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

async function shutdown(
  parts: RelayParts,
  resolved: ResolvedRelayOptions,
  deps: StartDeps,
  timeoutMs: number,
  offBroker: () => void,
): Promise<void> {
  const { logger } = deps;
  parts.state.shuttingDown = true; // new streams and handshakes are refused from here
  parts.sse.drain(SSE_RETRY_MS);
  await drain(
    { io: parts.io, state: parts.state, metrics: parts.metrics, logger, clock: resolved.clock },
    timeoutMs,
  );
  parts.sweep.stop();
  parts.stop();
  parts.presence.close();
  const httpClosed = new Promise<void>((resolve) => parts.httpServer.once("close", () => resolve()));
  await parts.io.close();
  parts.httpServer.closeAllConnections();
  await httpClosed;
  await closeServer(parts.metricsServer);
  await parts.tasks.settled();
  await parts.bridge.close();
  offBroker();
  if (deps.owned) await deps.broker.close();
  logger.info("relay closed");
}

async function closeServer(server: HttpServer | undefined): Promise<void> {
  if (!server?.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
