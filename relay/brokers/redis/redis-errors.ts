/**
 * What Redis failures mean to callers, as coded EventBusErrors: a reply error is final (INTERNAL)
 * unless it is a transient cluster state; a lost connection is BROKER_UNAVAILABLE ("may or may
 * not have been applied"); no reply in time is TIMEOUT. A first connection that fails says why
 * (wrong password, nothing listening, unknown host, TLS, timeout) and where, password hidden.
 */
import { EventBusError } from "../../../protocol/errors.js";

export function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === "ReplyError";
}

export function asBrokerError(error: unknown, what: string): EventBusError {
  if (error instanceof EventBusError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new EventBusError("BROKER_UNAVAILABLE", `Redis ${what} failed: ${sentence(text)}.`, {
    cause: error,
  });
}

export function closedError(): EventBusError {
  return new EventBusError("CLOSED", "This broker was closed.");
}

/** Replies that mean "not now" (failover, restart, resharding) rather than "never". */
const TRANSIENT_REPLY = /^(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY|MOVED|ASK)\b|redirections/;

/** Redis replied with an error → INTERNAL; no reply in time → TIMEOUT; connection lost → BROKER_UNAVAILABLE. */
export function commandError(error: unknown, what: string): EventBusError {
  if (error instanceof EventBusError) return error;
  const text = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === "ReplyError" && !TRANSIENT_REPLY.test(text)) {
    return new EventBusError("INTERNAL", `Redis rejected ${what}: ${sentence(text)}.`, { cause: error });
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
    `The connection to Redis was lost during ${what} (${sentence(text)}); it may or may not have been applied.`,
    { cause: error },
  );
}

interface ConnectCause {
  /** What went wrong, after "Could not connect to Redis at <target>: ". */
  readonly what: string;
  /** What to do about it. */
  readonly fix: string;
}

const TLS_CODE = /^(ERR_SSL|ERR_TLS|ERR_OSSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|HOSTNAME_MISMATCH)/;

/** Names why a connection attempt failed, from the error ioredis reported. */
export function connectCause(error: unknown): ConnectCause {
  const inner = (error as { lastNodeError?: unknown } | null)?.lastNodeError ?? error; // a Cluster's
  const text = inner instanceof Error ? inner.message : String(inner);
  const code = String((inner as { code?: unknown } | null)?.code ?? "");
  if (/^WRONGPASS/.test(text)) {
    return {
      what: "Redis refused the user name or password (WRONGPASS)",
      fix: "Correct the password in the URL: redis://:password@host:6379, or redis://user:password@host:6379 for an ACL user.",
    };
  }
  if (/^NOAUTH/.test(text)) {
    return {
      what: "Redis requires a password and none was given (NOAUTH)",
      fix: "Put the password in the URL: redis://:password@host:6379.",
    };
  }
  if (/AUTH.*(without any password configured|no password is set)/i.test(text)) {
    return {
      what: "a password was given but this Redis has none configured",
      fix: "Remove the password from the URL, or set requirepass on the server.",
    };
  }
  return networkCause(code, text);
}

function networkCause(code: string, text: string): ConnectCause {
  if (code === "ECONNREFUSED") {
    return {
      what: "nothing accepts connections there (ECONNREFUSED)",
      fix: "Start Redis, or correct the host and port.",
    };
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return { what: `the host name does not resolve (${code})`, fix: "Correct the host name (or check DNS)." };
  }
  if (TLS_CODE.test(code) || /\b(SSL|TLS)\b|certificate/i.test(text)) {
    return {
      what: `the TLS handshake failed (${code || sentence(text)})`,
      fix: "Use rediss:// only for a server that speaks TLS, with a certificate the client trusts (redisOptions.tls).",
    };
  }
  if (code === "ETIMEDOUT" || /timed? ?out/i.test(text)) {
    return {
      what: "no answer before the connection timeout (ETIMEDOUT)",
      fix: "Check the host, the port and any firewall; rediss:// against a server without TLS also ends this way.",
    };
  }
  return {
    what: code ? `${sentence(text)} (${code})` : sentence(text),
    fix: "Check the Redis URL (EVENT_BUS_REDIS_URL or the `redis` option) and that this is a Redis server; a TLS-only server needs rediss://.",
  };
}

/**
 * BROKER_UNAVAILABLE for a first connection that failed: the cause (the last connection error
 * ioredis reported, else the failure itself) and the target, password hidden. CLOSED stays CLOSED.
 */
export function connectFailure(target: string, failure: unknown, reported?: Error): EventBusError {
  if (failure instanceof EventBusError && failure.code === "CLOSED") return failure;
  const cause = reported ?? failure;
  const { what, fix } = connectCause(cause);
  return new EventBusError("BROKER_UNAVAILABLE", `Could not connect to Redis at ${target}: ${what}.`, {
    cause: withoutSecrets(cause),
    hint: fix,
  });
}

/**
 * ioredis attaches the failed command to a ReplyError, and for AUTH / HELLO its arguments are the
 * user name and password: they are dropped, so logging the error (or its cause) never prints them.
 */
export function withoutSecrets<T>(error: T): T {
  const command = (error as { command?: { name?: unknown; args?: unknown } } | null)?.command;
  if (command && /^(auth|hello)$/i.test(String(command.name))) command.args = ["(redacted)"];
  return error;
}

/** A message as the middle of a sentence: without its final period. */
function sentence(text: string): string {
  return text.trim().replace(/\.+$/, "");
}

/** A subscription withdrawn from a link (its slot moved to another node) before the link confirmed it. */
export class SubscriptionAbandoned extends EventBusError {
  constructor() {
    super("BROKER_UNAVAILABLE", "The subscription moved to another node before this one confirmed it.");
  }
}
