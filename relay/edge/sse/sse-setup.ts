/**
 * The SSE folder (relay/edge/sse/): Server-Sent Events on the relay. `GET /events` (sse-route.ts)
 * admits a request like a socket handshake and opens a stream (sse-stream.ts) over the same bridge,
 * recovery, pacing and limits as sockets; the hub (sse-hub.ts) hands it broker messages and runs
 * the slow-consumer, expiry and heartbeat pass; sse-format.ts writes the bytes; the id and event
 * names are the wire contract's (protocol/sse.ts). This file builds them from the relay's parts
 * (assemble.ts calls it). docs/relay.md, "Server-Sent Events", has the guarantees and limits.
 */
import type { ServerResponse } from "node:http";
import type { Broker } from "../../brokers/broker.js";
import { createPacer } from "../delivery/pacing.js";
import { Recovery } from "../delivery/recovery.js";
import type { RelayMetrics } from "../operations/metrics.js";
import type { ResolvedRelayOptions } from "../options.js";
import { SseHub } from "./sse-hub.js";
import { type SseRouteDeps, sseRoute } from "./sse-route.js";

export { SSE_PATH, SSE_RETRY_MS } from "./sse-route.js";

export interface SseSetupDeps
  extends Omit<
    SseRouteDeps,
    "hub" | "stream" | "limits" | "authorize" | "trustProxy" | "corsOrigins" | "clock" | "metrics"
  > {
  readonly metrics: RelayMetrics;
  readonly options: ResolvedRelayOptions;
  readonly broker: Broker;
}

export function setupSse(deps: SseSetupDeps) {
  const { options, metrics, logger } = deps;
  const { limits, clock } = options;
  const hub = new SseHub({
    clock,
    maxBufferedBytes: limits.maxBufferedBytes,
    checkMs: limits.slowConsumerCheckMs,
    heartbeatMs: options.heartbeat.intervalMs,
    tokenToleranceMs: (options.auth.clockToleranceSec ?? 5) * 1000,
    registry: metrics.registry,
    logger,
  });
  const recovery = new Recovery(deps.broker, metrics, options.recoveryPageSize, limits.maxPageBytes);
  const pacer = createPacer(limits, clock, (sink) => (sink as ServerResponse).writableLength);
  const route = sseRoute({
    ...deps,
    hub,
    limits,
    authorize: options.authorize,
    trustProxy: options.trustProxy,
    corsOrigins: options.corsOrigins,
    clock,
    stream: { recovery, pacer, limits, metrics },
  });
  return { hub, route };
}
