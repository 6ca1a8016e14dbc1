/**
 * Structured JSON logs (pino). Tokens, secrets and authorization headers are redacted wherever
 * they appear in a logged object, but the relay never passes them to the logger in the first place.
 */
import { type Logger, pino } from "pino";

export type RelayLogger = Logger;

const REDACT = [
  "token",
  "*.token",
  "auth.token",
  "secret",
  "*.secret",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "headers.cookie",
];

export function createLogger(level = "info"): RelayLogger {
  return pino({
    level,
    base: { service: "event-bus-relay" },
    redact: { paths: REDACT, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** The facts worth logging about an error without its stack for expected (coded) errors. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { err: { message: error.message, ...(typeof code === "string" && { code }), stack: error.stack } };
  }
  return { err: { message: String(error) } };
}
