/**
 * The playground's outbound webhooks (issue 20): a webhook dispatcher delivers the photo events to
 * a demo partner endpoint — a real HTTP receiver on 127.0.0.1 that verifies each request with the
 * `standardwebhooks` package and answers 503 (Retry-After: 1) to every third request, so retries
 * show — and keeps a delivery log of every attempt for the UI (GET /api/webhooks/log). Loopback and
 * http:// are allowed here explicitly (development); the job store is Redis when
 * EVENT_BUS_REDIS_URL is set, else memory.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createWebhookDispatcher,
  type EventBusClient,
  type Logger,
  type WebhookAttempt,
  type WebhookEndpointStats,
} from "@shared-infra/event-bus/server";
import { Webhook } from "standardwebhooks";
import type { PlaygroundEvents } from "../shared/playground-events.js";

export const DEMO_ENDPOINT = "demo-partner";
const LOG_SIZE = 100;

export interface WebhookLog {
  readonly endpoint: string;
  readonly url: string;
  readonly attempts: readonly WebhookAttempt[];
  /** Requests the receiver verified (signature checked) and accepted, de-duplicated by webhook-id. */
  readonly received: number;
  readonly stats: WebhookEndpointStats | undefined;
}

export interface WebhookDemo {
  log(): Promise<WebhookLog>;
  stop(): Promise<void>;
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error: (o, m) => console.error(m ?? o) };

export async function startWebhookDemo(bus: EventBusClient<PlaygroundEvents>): Promise<WebhookDemo> {
  const secret = `whsec_${randomBytes(32).toString("base64")}`;
  const verifier = new Webhook(secret);
  const accepted = new Set<string>();
  let requests = 0;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests += 1;
      try {
        verifier.verify(Buffer.concat(chunks).toString("utf8"), req.headers as Record<string, string>);
      } catch {
        res.writeHead(400).end("bad signature");
        return;
      }
      if (requests % 3 === 0) {
        res.writeHead(503, { "retry-after": "1" }).end("busy, try again");
        return;
      }
      accepted.add(String(req.headers["webhook-id"]));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/photos`;
  const attempts: WebhookAttempt[] = [];
  const dispatcher = createWebhookDispatcher({
    bus,
    eventTypes: ["photo.uploaded", "photo.processing.completed", "photo.processing.failed"],
    endpoints: [{ id: DEMO_ENDPOINT, url, secrets: [secret], types: ["photo.*"] }],
    group: "playground-webhooks",
    allowHttp: true,
    allowNetworks: ["127.0.0.1"],
    retrySchedule: [500, 2000, 5000],
    pollIntervalMs: 250,
    logger: quiet,
    onAttempt: (attempt) => {
      attempts.push(attempt);
      if (attempts.length > LOG_SIZE) attempts.shift();
    },
  });
  await dispatcher.start();
  return {
    async log() {
      const [stats] = await dispatcher.stats();
      return {
        endpoint: DEMO_ENDPOINT,
        url,
        attempts: [...attempts].reverse(),
        received: accepted.size,
        stats,
      };
    },
    async stop() {
      await dispatcher.stop();
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    },
  };
}
