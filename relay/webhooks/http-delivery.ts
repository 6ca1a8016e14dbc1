/**
 * One webhook request: POST to the pinned address (address-guard.ts) with the host's name kept for
 * the Host header and TLS (SNI and certificate checks), a timeout covering the whole exchange, the
 * response body read up to a small cap and then dropped, redirects never followed (a 3xx is a
 * failure like any other non-2xx).
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import type { PinnedAddress } from "./address-guard.js";

export interface DeliveryRequest {
  readonly url: URL;
  readonly address: PinnedAddress;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

export interface DeliveryOutcome {
  /** The HTTP status; 0 when no response arrived (connection error, timeout). */
  readonly status: number;
  /** `Retry-After` in ms from now, when the response had a usable one. */
  readonly retryAfterMs?: number;
  /** Why it failed, for the log and the dead letter: "timeout", "ECONNREFUSED", "HTTP 503", … */
  readonly error?: string;
  /** The first bytes of the response body (at most maxResponseBytes). */
  readonly responseExcerpt: string;
  readonly durationMs: number;
}

export function isSuccess(outcome: DeliveryOutcome): boolean {
  return outcome.status >= 200 && outcome.status < 300;
}

/** `Retry-After` as seconds or an HTTP date → ms from `now`; undefined when absent or unusable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function sendWebhook(req: DeliveryRequest): Promise<DeliveryOutcome> {
  const started = performance.now();
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [req.address]);
    } else callback(null, req.address.address, req.address.family);
  };
  const options: RequestOptions = {
    method: "POST",
    hostname: req.url.hostname.replace(/^\[|\]$/g, ""),
    port: req.url.port || undefined,
    path: `${req.url.pathname}${req.url.search}`,
    headers: {
      ...req.headers,
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(req.body)),
      "user-agent": "event-bus-webhooks/1",
    },
    lookup: pinned,
    agent: false,
  };
  const send = req.url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<DeliveryOutcome, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, durationMs: performance.now() - started });
    };
    const request = send(options, (response) => readCapped(response, req.maxResponseBytes, finish));
    const timer = setTimeout(() => {
      finish({ status: 0, error: "timeout", responseExcerpt: "" });
      request.destroy();
    }, req.timeoutMs);
    request.on("error", (error: NodeJS.ErrnoException) =>
      finish({ status: 0, error: error.code ?? error.message, responseExcerpt: "" }),
    );
    request.end(req.body);
  });
}

function readCapped(
  response: IncomingMessage,
  maxBytes: number,
  finish: (outcome: Omit<DeliveryOutcome, "durationMs">) => void,
): void {
  const status = response.statusCode ?? 0;
  const retryAfterMs = parseRetryAfter(response.headers["retry-after"], Date.now());
  const chunks: Buffer[] = [];
  let size = 0;
  const done = () => {
    const excerpt = Buffer.concat(chunks).subarray(0, maxBytes).toString("utf8");
    finish({
      status,
      ...(retryAfterMs !== undefined && { retryAfterMs }),
      ...(!(status >= 200 && status < 300) && { error: `HTTP ${status}` }),
      responseExcerpt: excerpt,
    });
  };
  response.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxBytes) {
      // Enough: the rest is never read (a huge or endless body cannot hold the dispatcher).
      done();
      response.destroy();
    }
  });
  response.on("end", done);
  response.on("error", done);
  response.on("close", done);
}
