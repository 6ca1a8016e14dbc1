/**
 * `GET /events`: a Server-Sent Events stream of the user's own channels (`user:{sub}`, `broadcast`,
 * its roles) and the rooms named in the query. Admitted like a socket's handshake, with the same
 * rules and the same code: the per-address handshake budget first (no token is verified for an
 * address over it), then the JWT (relay/auth), revocation, the per-user connection cap (sockets
 * and streams together), and each room through the claims and the authorize hook. A refusal is an
 * HTTP error with a JSON body `{ error: { code, message } }` (an EventSource does not retry those);
 * while the relay drains, a request gets a stream holding only a retry hint and a SERVER_SHUTDOWN
 * notice, so the EventSource retries (a 503 would make it give up).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "../../../common/clock.js";
import type { ChannelNames } from "../../../protocol/channels.js";
import { type ErrorCode, EventBusError, toEventBusError } from "../../../protocol/errors.js";
import { createId } from "../../../protocol/ids.js";
import { SSE_EVENTS } from "../../../protocol/sse.js";
import { type AuthorizeHook, isAllowed } from "../../auth/authorize.js";
import { isRevoked } from "../../auth/revocation.js";
import type { TokenVerifier, VerifiedToken } from "../../auth/verify-token.js";
import { clientAddress } from "../connection/connect-guard.js";
import { acquireAll, ownChannels } from "../connection/hello.js";
import type { KeyedBuckets } from "../connection/limits.js";
import type { RelayLogger } from "../operations/logger.js";
import type { RelayMetrics } from "../operations/metrics.js";
import type { RefusalLog } from "../operations/refusal-log.js";
import type { RelayLimits } from "../options.js";
import type { ChannelHolds } from "../rooms/bridge.js";
import type { RelayState } from "../types.js";
import { comment, retryField, sseFrame } from "./sse-format.js";
import type { SseHub } from "./sse-hub.js";
import { parseSseRequest } from "./sse-request.js";
import { SseStream, type SseStreamDeps } from "./sse-stream.js";

/** The path of the stream. */
export const SSE_PATH = "/events";

/** The reconnect delay a stream asks of its reader (EventSource's `retry`). */
export const SSE_RETRY_MS = 1000;

export interface SseRouteDeps {
  readonly state: Readonly<RelayState>;
  readonly names: ChannelNames;
  readonly channels: ChannelHolds;
  readonly hub: SseHub;
  readonly verify: TokenVerifier;
  readonly authorize: AuthorizeHook | undefined;
  readonly revokedBefore: (userId: string) => Promise<number | null>;
  /** Sockets of the user on this relay (the cap counts sockets and streams together). */
  readonly socketsOf: (userId: string) => number;
  readonly limits: RelayLimits;
  readonly addresses: KeyedBuckets;
  readonly refusals: RefusalLog;
  readonly trustProxy: number;
  readonly corsOrigins: readonly string[] | "*";
  readonly clock: Clock;
  readonly logger: RelayLogger;
  readonly metrics: Pick<RelayMetrics, "authFailures">;
  readonly stream: Omit<SseStreamDeps, "onClose">;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  TOKEN_MISSING: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REVOKED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  TOO_MANY_CONNECTIONS: 429,
  BROKER_UNAVAILABLE: 503,
  INTERNAL: 500,
};

function refuse(res: ServerResponse, error: EventBusError): void {
  res.writeHead(STATUS[error.code] ?? 400, {
    "content-type": "application/json",
    "cache-control": "no-store",
  });
  res.end(JSON.stringify({ error: error.toWire() }));
}

/** CORS: the relay's allow-list, as for sockets. Returns false (and answers 403) for another origin. */
function cors(deps: SseRouteDeps, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (deps.corsOrigins === "*") {
    res.setHeader("access-control-allow-origin", "*");
    return true;
  }
  if (!deps.corsOrigins.includes(origin)) {
    refuse(
      res,
      new EventBusError("FORBIDDEN", `Origin ${JSON.stringify(origin.slice(0, 100))} is not allowed.`),
    );
    return false;
  }
  res.setHeader("access-control-allow-origin", origin);
  res.setHeader("vary", "Origin");
  return true;
}

export function sseRoute(deps: SseRouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (!cors(deps, req, res)) return;
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        "access-control-allow-methods": "GET",
        "access-control-allow-headers": "authorization, last-event-id",
        "access-control-max-age": "600",
      });
      res.end();
      return;
    }
    if (req.method !== "GET") return refuse(res, new EventBusError("INVALID_FRAME", "Use GET /events."));
    if (deps.state.shuttingDown) return shuttingDown(res);
    const address = clientAddress(req, deps.trustProxy);
    open(deps, req, res, address).catch((error: unknown) => {
      const refusal = toEventBusError(error, "INTERNAL");
      if (refusal.code === "INTERNAL") deps.logger.error({ err: error }, "SSE request failed");
      deps.metrics.authFailures.inc({ code: refusal.code });
      deps.refusals.refused(address, refusal.code);
      if (!res.headersSent) refuse(res, refusal);
      else res.destroy();
    });
  };
}

function shuttingDown(res: ServerResponse): void {
  res.writeHead(200, streamHeaders());
  res.write(retryField(SSE_RETRY_MS));
  const notice = new EventBusError("SERVER_SHUTDOWN").toWire();
  res.end(sseFrame({ event: SSE_EVENTS.notice, data: JSON.stringify(notice) }));
}

function streamHeaders(): Record<string, string> {
  return {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no", // nginx: do not buffer the stream
  };
}

/** Admits the request (throws coded errors before any byte of the stream is written). */
async function admit(deps: SseRouteDeps, req: IncomingMessage, address: string) {
  if (!deps.addresses.take(address)) {
    throw new EventBusError(
      "RATE_LIMITED",
      `Too many connection attempts from ${address}; retry with backoff.`,
    );
  }
  const request = parseSseRequest(req, deps.limits.maxRoomsPerSocket);
  const token = await deps.verify(request.token);
  if (isRevoked(token.issuedAt, await deps.revokedBefore(token.userId)))
    throw new EventBusError("TOKEN_REVOKED");
  const cap = deps.limits.maxConnectionsPerUser;
  if (deps.socketsOf(token.userId) + deps.hub.count(token.userId) >= cap) {
    throw new EventBusError(
      "TOO_MANY_CONNECTIONS",
      `User ${token.userId} already has ${cap} connections on this relay.`,
    );
  }
  for (const room of request.rooms) await assertJoin(deps, token, room);
  return { request, token };
}

/**
 * Every event's id holds every channel's position, and a reconnect sends it back as a header: the
 * stream's channels must fit `ID_BUDGET` (with a token in the URL, well within Node's 16 KiB limit
 * on a request's headers), counting `ID_ENTRY_BYTES` per channel for offset, epoch and event id.
 */
const ID_BUDGET = 8 * 1024;
const ID_ENTRY_BYTES = 80;

function assertIdFits(channels: readonly string[]): void {
  const bytes = channels.reduce(
    (sum, channel) => sum + encodeURIComponent(channel).length + ID_ENTRY_BYTES,
    2,
  );
  if (bytes <= ID_BUDGET) return;
  throw new EventBusError(
    "TOO_MANY_ROOMS",
    `These ${channels.length} channels need an event id of ≈ ${bytes} bytes; a stream's id may take ${ID_BUDGET}.`,
    { hint: "Ask fewer rooms per stream (open several streams), or use the SDK over socket.io." },
  );
}

async function assertJoin(deps: SseRouteDeps, token: VerifiedToken, room: string): Promise<void> {
  if (await isAllowed({ userId: token.userId, claims: token.claims }, deps.authorize, "join", room)) return;
  throw new EventBusError("FORBIDDEN", `This token may not join room ${JSON.stringify(room)}.`);
}

async function open(deps: SseRouteDeps, req: IncomingMessage, res: ServerResponse, address: string) {
  const { request, token } = await admit(deps, req, address);
  if (req.destroyed || res.destroyed) return;
  const channels = [
    ...ownChannels(deps.names, { userId: token.userId, token }),
    ...request.rooms.map((room) => deps.names.room(room)),
  ];
  assertIdFits(channels);
  let held = false;
  const stream: SseStream = new SseStream(createId(), token, channels, res, {
    ...deps.stream,
    onClose: () => {
      deps.hub.remove(stream);
      if (held) for (const channel of channels) deps.channels.release(channel);
    },
  });
  res.on("close", () => stream.close());
  deps.hub.add(stream); // live messages wait in the stream's queues until each channel caught up
  try {
    await acquireAll(deps.channels, channels);
  } catch (error) {
    deps.hub.remove(stream);
    stream.closed = true;
    throw error;
  }
  if (stream.closed) {
    for (const channel of channels) deps.channels.release(channel); // the reader left meanwhile
    return;
  }
  held = true;
  res.writeHead(200, streamHeaders());
  res.write(retryField(SSE_RETRY_MS) + comment(`stream ${stream.connectionId}`));
  await stream.start(request.since);
}
