/**
 * The few calls of Express that the documented token endpoint uses (docs/client.md), on
 * node:http, so the doc test runs the snippet without adding a web framework to the package.
 * `req.user` comes from an `x-test-user` JSON header, standing in for session middleware.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface StandInRequest {
  readonly user: unknown;
}

export interface StandInResponse {
  status(code: number): StandInResponse;
  type(contentType: string): StandInResponse;
  send(body: string): void;
  end(): void;
}

type Handler = (req: StandInRequest, res: StandInResponse) => unknown;

export interface StandInApp {
  get(path: string, handler: Handler): void;
  /** Listens on 127.0.0.1 and a free port. */
  listen(): Promise<Server>;
}

export default function express(): StandInApp {
  const routes = new Map<string, Handler>();
  const handle = async (req: IncomingMessage, raw: ServerResponse) => {
    const handler = req.method === "GET" ? routes.get(req.url ?? "") : undefined;
    if (!handler) {
      raw.writeHead(404).end();
      return;
    }
    const header = req.headers["x-test-user"];
    await handler({ user: typeof header === "string" ? JSON.parse(header) : undefined }, response(raw));
  };
  return {
    get: (path, handler) => void routes.set(path, handler),
    listen: () =>
      new Promise((resolve) => {
        const server = createServer((req, res) => {
          handle(req, res).catch(() => res.writeHead(500).end());
        });
        server.listen(0, "127.0.0.1", () => resolve(server));
      }),
  };
}

function response(raw: ServerResponse): StandInResponse {
  const res: StandInResponse = {
    status: (code) => {
      raw.statusCode = code;
      return res;
    },
    type: (contentType) => {
      raw.setHeader("content-type", contentType);
      return res;
    },
    send: (body) => void raw.end(body),
    end: () => void raw.end(),
  };
  return res;
}
