/**
 * What Redis failures mean to callers, as coded EventBusErrors: a reply error is final (INTERNAL)
 * unless it is a transient cluster state; a lost connection is BROKER_UNAVAILABLE ("may or may
 * not have been applied"); no reply in time is TIMEOUT.
 */
import { EventBusError } from "../../../protocol/errors.js";

export function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === "ReplyError";
}

export function asBrokerError(error: unknown, what: string): EventBusError {
  if (error instanceof EventBusError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new EventBusError("BROKER_UNAVAILABLE", `Redis ${what} failed: ${text}.`, { cause: error });
}

export function closedError(): EventBusError {
  return new EventBusError("CLOSED", "This broker was closed.");
}

export function asUnavailable(error: unknown, what: string): EventBusError {
  if (error instanceof EventBusError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new EventBusError("BROKER_UNAVAILABLE", `${what}: ${text}.`, { cause: error });
}

/** Replies that mean "not now" (failover, restart, resharding) rather than "never". */
const TRANSIENT_REPLY = /^(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY|MOVED|ASK)\b|redirections/;

/** Redis replied with an error → INTERNAL; no reply in time → TIMEOUT; connection lost → BROKER_UNAVAILABLE. */
export function commandError(error: unknown, what: string): EventBusError {
  if (error instanceof EventBusError) return error;
  const text = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === "ReplyError" && !TRANSIENT_REPLY.test(text)) {
    return new EventBusError("INTERNAL", `Redis rejected ${what}: ${text}.`, { cause: error });
  }
  if (/timed out/i.test(text)) {
    return new EventBusError(
      "TIMEOUT",
      `Redis did not answer ${what} in time; it may or may not have been applied.`,
      {
        cause: error,
      },
    );
  }
  return new EventBusError(
    "BROKER_UNAVAILABLE",
    `The connection to Redis was lost during ${what} (${text}); it may or may not have been applied.`,
    { cause: error },
  );
}
