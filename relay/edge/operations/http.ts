/**
 * The operations folder (relay/edge/operations/): HTTP endpoints (this file), Prometheus metrics
 * (metrics.ts), JSON logs (logger.ts), graceful shutdown (shutdown.ts) and the background tasks
 * close() waits for (tasks.ts).
 *
 * The relay's HTTP endpoints beside socket.io (which answers under /socket.io/ itself):
 *   GET /healthz  200 while the process serves requests (liveness)
 *   GET /readyz   200 when the broker answers a ping and the relay is not shutting down, else 503
 *   GET /metrics  Prometheus text format (this relay's registry) — on the public listener only when
 *                 no separate metrics listener is configured, and behind `Authorization: Bearer
 *                 <metrics.token>` when a token is set (401 otherwise)
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "../../../common/clock.js";
import type { Broker } from "../../brokers/broker.js";
import type { RelayState } from "../types.js";
import type { RelayMetrics } from "./metrics.js";

export interface HttpDeps {
  readonly broker: Broker;
  readonly metrics: RelayMetrics;
  readonly state: Readonly<RelayState>;
  readonly clock: Clock;
  /** Ping timeout for /readyz, in ms. */
  readonly readyTimeoutMs?: number;
  /** Serve /metrics here (false on the public listener when a separate metrics listener exists). */
  readonly serveMetrics: boolean;
  /** Bearer token /metrics requires, if any. */
  readonly metricsToken: string | undefined;
  /** Further routes by path (the SSE stream, relay/edge/sse); they answer every method themselves. */
  readonly routes?: Readonly<Record<string, (req: IncomingMessage, res: ServerResponse) => void>>;
}

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time). */
function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = Buffer.from(req.headers.authorization ?? "");
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function send(res: ServerResponse, status: number, body: string, type = "application/json"): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

async function pingWithin(broker: Broker, clock: Clock, ms: number): Promise<number> {
  let timer: unknown;
  const timeout = new Promise<never>((_, reject) => {
    timer = clock.setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([broker.ping(), timeout]);
  } finally {
    clock.clearTimeout(timer);
  }
}

async function readiness(deps: HttpDeps): Promise<{ status: number; body: Record<string, unknown> }> {
  if (deps.state.shuttingDown) return { status: 503, body: { status: "shutting-down" } };
  try {
    const latencyMs = await pingWithin(deps.broker, deps.clock, deps.readyTimeoutMs ?? 1000);
    return { status: 200, body: { status: "ready", broker: deps.broker.kind, latencyMs } };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { status: 503, body: { status: "broker-unavailable", broker: deps.broker.kind, reason } };
  }
}

export function createHttpHandler(deps: HttpDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const route = deps.routes?.[path];
    if (route) {
      route(req, res);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, JSON.stringify({ error: "method not allowed" }));
      return;
    }
    const answer = async () => {
      switch (path) {
        case "/healthz":
          return send(res, 200, JSON.stringify({ status: "ok" }));
        case "/readyz": {
          const { status, body } = await readiness(deps);
          return send(res, status, JSON.stringify(body));
        }
        case "/metrics":
          if (!deps.serveMetrics) return send(res, 404, JSON.stringify({ error: "not found" }));
          if (!authorized(req, deps.metricsToken)) {
            res.setHeader("www-authenticate", "Bearer");
            return send(res, 401, JSON.stringify({ error: "metrics need Authorization: Bearer <token>" }));
          }
          return send(res, 200, await deps.metrics.registry.metrics(), deps.metrics.registry.contentType);
        default:
          return send(res, 404, JSON.stringify({ error: "not found" }));
      }
    };
    answer().catch(() => {
      if (!res.headersSent) send(res, 500, JSON.stringify({ error: "internal error" }));
      else res.destroy();
    });
  };
}
