/**
 * What `npm start` prints when the playground cannot start. The common case is a port already in
 * use (another playground or dev server on 5173): say so and suggest a port that is free right
 * now, so the user can copy the command.
 */
import { createServer } from "node:net";

/** The message for a start failure; `port`/`host` are the ones the Vite server was asked for. */
export async function describeStartFailure(error: unknown, port: number, host: string): Promise<string> {
  const message = error instanceof Error ? error.message : String(error);
  if (!isPortInUse(error)) return `The playground could not start: ${message}\n`;
  const free = await findFreePort(port + 1, host);
  return (
    `The playground could not start: port ${port} on ${host} is already in use (another playground or dev server?).\n` +
    `Start it on another port: npm start -- --port ${free ?? "<N>"}\n`
  );
}

/** Vite (strictPort) throws "Port N is already in use"; Node's listen fails with EADDRINUSE. */
export function isPortInUse(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return code === "EADDRINUSE" || /port \d+ is already in use/i.test(error.message);
}

/** The first port from `start` (at most 20 tried) that can be bound on `host` now, or null. */
async function findFreePort(start: number, host: string): Promise<number | null> {
  for (let port = start; port < start + 20 && port <= 65_535; port++) {
    if (await canListen(port, host)) return port;
  }
  return null;
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
