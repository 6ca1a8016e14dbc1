/**
 * Logging. By default pino to stdout at `warn` (a library stays quiet in its app's output unless
 * something is wrong), tagged with the service name. An app hands over its own logger instead —
 * pino itself, or anything with the same four methods; a pino logger gets a child tagged
 * `component: "event-bus"`, at the app's level.
 */
import { pino } from "pino";
import type { Broker } from "../brokers/broker.js";

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

type LogMethod = (objOrMessage: object | string, message?: string) => void;

/** The part of pino's Logger the backend uses (`child` when there is one). */
export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  child?(bindings: Record<string, unknown>): Logger;
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

/** The app's logger, as a child tagged with this component when it can make one. */
export function appLogger(logger: Logger): Logger {
  return typeof logger.child === "function" ? logger.child({ component: "event-bus" }) : logger;
}

/** Fields for logging an error: message and code, and the stack only for uncoded errors. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { err: { message: String(error) } };
  const code = (error as { code?: unknown }).code;
  return typeof code === "string"
    ? { err: { message: error.message, code } }
    : { err: { message: error.message, stack: error.stack } };
}

/** Logs the broker's connection changes (lost at warn, ready at info) and its errors (warn). */
export function logBrokerEvents(broker: Broker, logger: Logger): void {
  broker.on("status", (status) => {
    if (status === "reconnecting")
      logger.warn({ broker: broker.kind }, "event-bus: broker connection lost; reconnecting");
    else if (status === "ready") logger.info({ broker: broker.kind }, "event-bus: broker ready");
  });
  broker.on("error", (error) =>
    logger.warn({ broker: broker.kind, ...errorFields(error) }, "event-bus: broker error"),
  );
}
