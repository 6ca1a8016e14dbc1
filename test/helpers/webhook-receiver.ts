/**
 * A real local webhook receiver for tests: an HTTP server on 127.0.0.1 that verifies each
 * request with the `standardwebhooks` package (the receiver side of the spec), answers by a
 * behaviour function, and keeps an idempotent log: `unique` holds each webhook-id once, in the
 * order first accepted; `duplicates` counts accepted redeliveries of an id already seen.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { collector } from "./wait.js";

export interface ReceivedWebhook {
  readonly id: string;
  readonly body: { readonly type: string; readonly timestamp: string; readonly data: unknown };
}

/** What to answer: a status (with optional headers), "hang" (never answer), "drop" (reset the connection: down). */
export type Behaviour = (
  req: IncomingMessage,
  count: number,
) => { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | "hang" | "drop";

export interface WebhookReceiver {
  readonly url: string;
  readonly unique: ReturnType<typeof collector<ReceivedWebhook>>;
  readonly requests: () => number;
  readonly duplicates: () => number;
  readonly rejectedSignatures: () => number;
  setBehaviour(behaviour: Behaviour): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(
  secret: string,
  behaviour: Behaviour = () => ({ status: 204 }),
): Promise<WebhookReceiver> {
  const verifier = new Webhook(secret);
  const unique = collector<ReceivedWebhook>("webhooks");
  const seen = new Set<string>();
  let requests = 0;
  let duplicates = 0;
  let rejected = 0;
  let current = behaviour;
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests += 1;
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: ReceivedWebhook["body"];
      try {
        body = verifier.verify(raw, req.headers as Record<string, string>) as ReceivedWebhook["body"];
      } catch {
        rejected += 1;
        res.writeHead(400).end();
        return;
      }
      const answer = current(req, requests);
      if (answer === "drop") {
        req.socket.destroy();
        return;
      }
      if (answer === "hang") {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      }
      const respond = () => {
        // Accept (record) only when answering 2xx: what an idempotent receiver commits.
        if (answer.status >= 200 && answer.status < 300) {
          const id = String(req.headers["webhook-id"]);
          if (seen.has(id)) duplicates += 1;
          else {
            seen.add(id);
            unique.push({ id, body });
          }
        }
        res.writeHead(answer.status, answer.headers).end(answer.body ?? "");
      };
      if (answer.delayMs) setTimeout(respond, answer.delayMs);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    unique,
    requests: () => requests,
    duplicates: () => duplicates,
    rejectedSignatures: () => rejected,
    setBehaviour(next) {
      current = next;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A fresh `whsec_` secret (32 random bytes). */
export function newSecret(): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64")}`;
}
