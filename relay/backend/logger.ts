/**
 * Logging: any pino-compatible logger (pino itself, or an object with the same four methods);
 * by default pino at the configured level, tagged with the service name.
 */
import { pino } from "pino";

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

type LogMethod = (objOrMessage: object | string, message?: string) => void;

/** The part of pino's Logger the backend uses. */
export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

const LEVELS: readonly LogLevel[] = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LEVELS as readonly string[]).includes(value);
}

export function createLogger(serviceName: string, level: LogLevel): Logger {
  return pino({
    level,
    base: { service: serviceName, component: "event-bus" },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** Fields for logging an error: message and code, and the stack only for uncoded errors. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { err: { message: String(error) } };
  const code = (error as { code?: unknown }).code;
  return typeof code === "string"
    ? { err: { message: error.message, code } }
    : { err: { message: error.message, stack: error.stack } };
}
