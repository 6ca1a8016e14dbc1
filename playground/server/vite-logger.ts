/**
 * The Vite dev server's logger for the playground, minus the noise of routine disconnects.
 *
 * Vite logs every error of its WebSocket proxy (`/socket.io` → the relay) with a stack trace. A
 * browser tab closed, a client going offline, the relay restarting, or Ctrl-C stopping everything
 * resets those sockets on purpose: `ws proxy error: read ECONNRESET` is then expected, not a fault.
 * Vite attaches its own error listener after the proxy's `configure` hook runs, so the only place
 * to drop these lines is the logger. Every other message (and any other proxy error) is kept.
 */
import { createLogger, type LogErrorOptions, type Logger } from "vite";

/** Socket error codes that mean "the other end went away": routine for a WebSocket proxy. */
const DISCONNECT_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

/** Whether a Vite log line is a WebSocket proxy error caused by a routine disconnect. */
export function isRoutineProxyDisconnect(message: string, error: unknown): boolean {
  if (!/ws proxy (socket )?error/.test(message)) return false;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && DISCONNECT_CODES.has(code);
}

export function createPlaygroundLogger(): Logger {
  const logger = createLogger();
  const error = logger.error.bind(logger);
  logger.error = (message: string, options?: LogErrorOptions) => {
    if (isRoutineProxyDisconnect(message, options?.error)) return;
    error(message, options);
  };
  return logger;
}
