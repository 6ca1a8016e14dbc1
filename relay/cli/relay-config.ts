/**
 * The relay's configuration from command-line flags and environment variables (flags win), for
 * `event-bus relay`. Every value is validated; a missing or contradictory setting throws
 * CONFIG_INVALID with one line naming it and the fix. Secrets come only from the environment or a
 * file (a flag would show in `ps`).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { EventBusError } from "../../protocol/errors.js";
import { parseDuration } from "../auth/dev-token.js";
import { type BrokerConfig, brokerConfigFromEnv } from "../brokers/create-broker.js";
import { configError, type RelayLimits, type RelayOptions } from "../edge/options.js";

type Env = Readonly<Record<string, string | undefined>>;

interface Setting {
  readonly flag: string;
  readonly env: string;
  readonly help: string;
  readonly boolean?: true;
}

/** Every setting: flag, environment variable, help. The order is the order of `--help`. */
export const SETTINGS = [
  { flag: "port", env: "PORT", help: "port to listen on (default 8080)" },
  { flag: "host", env: "HOST", help: "address to bind (default 0.0.0.0)" },
  {
    flag: "redis-url",
    env: "EVENT_BUS_REDIS_URL",
    help: "redis://host:port (neither this nor a cluster: memory broker)",
  },
  { flag: "redis-cluster", env: "EVENT_BUS_REDIS_CLUSTER", help: "host:port,host:port of a Redis Cluster" },
  { flag: "prefix", env: "EVENT_BUS_PREFIX", help: "channel prefix shared with the backends" },
  {
    flag: "jwt-secret-file",
    env: "JWT_SECRET_FILE",
    help: "file holding the HS256/384/512 secret (or set JWT_SECRET)",
  },
  {
    flag: "jwt-public-key-file",
    env: "JWT_PUBLIC_KEY_FILE",
    help: "PEM public key file (or set JWT_PUBLIC_KEY)",
  },
  { flag: "jwks-url", env: "JWKS_URL", help: "JSON Web Key Set URL" },
  {
    flag: "jwt-algorithms",
    env: "JWT_ALGORITHMS",
    help: "comma-separated allow-list (default: the key's family)",
  },
  { flag: "jwt-issuer", env: "JWT_ISSUER", help: "required iss (comma-separated for several)" },
  { flag: "jwt-audience", env: "JWT_AUDIENCE", help: "required aud (comma-separated for several)" },
  {
    flag: "jwt-clock-tolerance",
    env: "JWT_CLOCK_TOLERANCE",
    help: "seconds of clock skew allowed (default 5)",
  },
  { flag: "cors-origins", env: "CORS_ORIGINS", help: 'allowed origins, comma-separated, or "*" (default *)' },
  {
    flag: "long-polling",
    env: "RELAY_LONG_POLLING",
    help: "also accept HTTP long-polling (needs sticky sessions)",
    boolean: true,
  },
  { flag: "history-max-length", env: "HISTORY_MAX_LENGTH", help: "events kept per channel (default 1000)" },
  { flag: "history-ttl", env: "HISTORY_TTL", help: "history lifetime after the last publish, e.g. 5m" },
  {
    flag: "recovery-page-size",
    env: "RECOVERY_PAGE_SIZE",
    help: "events per recovery page (default 100, max 500)",
  },
  { flag: "rate-limit", env: "RATE_LIMIT", help: "frames per second per socket (default 100)" },
  { flag: "rate-burst", env: "RATE_BURST", help: "burst of frames per socket (default 500)" },
  { flag: "max-connections-per-user", env: "MAX_CONNECTIONS_PER_USER", help: "per relay (default 20)" },
  { flag: "max-rooms-per-socket", env: "MAX_ROOMS_PER_SOCKET", help: "default 100" },
  { flag: "max-buffered-messages", env: "MAX_BUFFERED_MESSAGES", help: "slow-consumer limit (default 1000)" },
  {
    flag: "subscription-linger",
    env: "SUBSCRIPTION_LINGER",
    help: "keep a channel subscribed after its last socket left, e.g. 2s",
  },
  { flag: "shutdown-timeout", env: "SHUTDOWN_TIMEOUT", help: "drain deadline on SIGTERM, e.g. 10s" },
  {
    flag: "heartbeat-interval",
    env: "RELAY_HEARTBEAT_INTERVAL",
    help: "socket.io ping interval to clients, e.g. 25s (default)",
  },
  {
    flag: "heartbeat-timeout",
    env: "RELAY_HEARTBEAT_TIMEOUT",
    help: "drop a client (and it the relay) after this without a pong, e.g. 20s (default)",
  },
  {
    flag: "redis-health-check",
    env: "REDIS_HEALTH_CHECK",
    help: "PING Redis connections this often, drop silent ones, e.g. 5s (default; 0 off)",
  },
  { flag: "log-level", env: "LOG_LEVEL", help: "trace, debug, info, warn, error or silent (default info)" },
] as const satisfies readonly Setting[];

type FlagName = (typeof SETTINGS)[number]["flag"];
type Values = Partial<Record<FlagName, string>>;

export interface RelayCommandConfig {
  readonly options: RelayOptions;
  readonly brokerConfig: BrokerConfig;
  readonly help: boolean;
}

/** Reads flags then the environment; throws CONFIG_INVALID naming the setting. */
export function relayConfig(args: readonly string[], env: Env = process.env): RelayCommandConfig {
  const flags = parseFlags(args).values as Partial<Record<FlagName | "help", string | boolean>>;
  const values: Values = {};
  for (const s of SETTINGS) {
    const flag = flags[s.flag];
    const value = typeof flag === "boolean" ? String(flag) : (flag ?? env[s.env]?.trim());
    if (value !== undefined && value !== "") values[s.flag] = value;
  }
  const brokerConfig = brokerFrom(values);
  const options: RelayOptions = {
    auth: authFrom(values, env),
    ...(values.port !== undefined && { port: integer(values.port, "PORT (--port)") }),
    ...(values.host !== undefined && { host: values.host }),
    ...(values.prefix !== undefined && { prefix: values.prefix }),
    ...(values["cors-origins"] !== undefined && { corsOrigins: origins(values["cors-origins"]) }),
    longPolling: bool(values["long-polling"], "RELAY_LONG_POLLING (--long-polling)"),
    ...optional(values["recovery-page-size"], "recoveryPageSize", (v) => integer(v, "RECOVERY_PAGE_SIZE")),
    ...optional(values["subscription-linger"], "subscriptionLingerMs", (v) =>
      millis(v, "SUBSCRIPTION_LINGER"),
    ),
    ...optional(values["shutdown-timeout"], "shutdownTimeoutMs", (v) => millis(v, "SHUTDOWN_TIMEOUT")),
    heartbeat: {
      ...optional(values["heartbeat-interval"], "intervalMs", (v) => millis(v, "RELAY_HEARTBEAT_INTERVAL")),
      ...optional(values["heartbeat-timeout"], "timeoutMs", (v) => millis(v, "RELAY_HEARTBEAT_TIMEOUT")),
    },
    ...optional(values["log-level"], "logLevel", (v) => logLevel(v)),
    limits: limitsFrom(values),
    processMetrics: true,
  };
  return { options, brokerConfig, help: flags.help === true };
}

function parseFlags(args: readonly string[]) {
  const options = Object.fromEntries(
    SETTINGS.map((s) => [s.flag, { type: "boolean" in s ? ("boolean" as const) : ("string" as const) }]),
  );
  try {
    return parseArgs({
      args: [...args],
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
    });
  } catch (error) {
    throw configError(
      `${error instanceof Error ? error.message : String(error)}; see \`event-bus relay --help\`.`,
    );
  }
}

function optional<K extends string, T>(value: string | undefined, key: K, parse: (v: string) => T) {
  return value === undefined ? {} : ({ [key]: parse(value) } as Record<K, T>);
}

function brokerFrom(values: Values): BrokerConfig {
  const base = brokerConfigFromEnv({
    EVENT_BUS_REDIS_URL: values["redis-url"],
    EVENT_BUS_REDIS_CLUSTER: values["redis-cluster"],
    EVENT_BUS_PREFIX: values.prefix,
  });
  const maxLength = values["history-max-length"];
  const ttl = values["history-ttl"];
  const health = values["redis-health-check"];
  const withHealth =
    health === undefined || base.broker === "memory"
      ? base
      : { ...base, tuning: { healthCheckMs: health === "0" ? 0 : millis(health, "REDIS_HEALTH_CHECK") } };
  if (maxLength === undefined && ttl === undefined) return withHealth;
  const history = {
    ...(maxLength !== undefined && { maxLength: integer(maxLength, "HISTORY_MAX_LENGTH") }),
    ...(ttl !== undefined && { ttlMs: millis(ttl, "HISTORY_TTL") }),
  };
  return { ...withHealth, history };
}

function authFrom(values: Values, env: Env): RelayOptions["auth"] {
  const secret = env.JWT_SECRET || readSecretFile(values["jwt-secret-file"], "JWT_SECRET_FILE");
  const publicKey =
    env.JWT_PUBLIC_KEY || readSecretFile(values["jwt-public-key-file"], "JWT_PUBLIC_KEY_FILE");
  const jwksUrl = values["jwks-url"];
  const sources = [secret && "JWT_SECRET", publicKey && "JWT_PUBLIC_KEY", jwksUrl && "JWKS_URL"].filter(
    (s): s is string => typeof s === "string",
  );
  if (sources.length === 0) {
    throw configError(
      "no JWT key: set JWT_SECRET (HS256), JWT_PUBLIC_KEY / JWT_PUBLIC_KEY_FILE (PEM) or JWKS_URL.",
    );
  }
  if (sources.length > 1)
    throw configError(`${sources.join(" and ")} are both set; keep only one JWT key source.`);
  const algorithms = list(values["jwt-algorithms"]);
  const issuer = list(values["jwt-issuer"]);
  const audience = list(values["jwt-audience"]);
  return {
    ...(secret && { secret }),
    ...(publicKey && { publicKey }),
    ...(jwksUrl && { jwksUrl }),
    ...(algorithms && { algorithms }),
    ...(issuer && { issuer }),
    ...(audience && { audience }),
    ...optional(values["jwt-clock-tolerance"], "clockToleranceSec", (v) => integer(v, "JWT_CLOCK_TOLERANCE")),
  };
}

function limitsFrom(values: Values): Partial<RelayLimits> {
  const pick = (flag: FlagName, key: keyof RelayLimits, name: string) =>
    optional(values[flag], key, (v) => integer(v, name));
  return {
    ...pick("rate-limit", "ratePerSecond", "RATE_LIMIT"),
    ...pick("rate-burst", "rateBurst", "RATE_BURST"),
    ...pick("max-connections-per-user", "maxConnectionsPerUser", "MAX_CONNECTIONS_PER_USER"),
    ...pick("max-rooms-per-socket", "maxRoomsPerSocket", "MAX_ROOMS_PER_SOCKET"),
    ...pick("max-buffered-messages", "maxBufferedMessages", "MAX_BUFFERED_MESSAGES"),
  };
}

function readSecretFile(path: string | undefined, name: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    throw configError(
      `${name} points to ${JSON.stringify(path)}, which cannot be read; fix the path or permissions.`,
    );
  }
}

function list(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}

function origins(value: string): readonly string[] | "*" {
  if (value === "*") return "*";
  const items = list(value) ?? [];
  for (const origin of items) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw configError(
        `CORS_ORIGINS entry ${JSON.stringify(origin)} is not an origin; use e.g. https://app.example.com (no path).`,
      );
    }
  }
  return items;
}

function integer(value: string, name: string): number {
  if (!/^\d+$/.test(value)) throw configError(`${name} is ${JSON.stringify(value)}; use a whole number.`);
  return Number(value);
}

function millis(value: string, name: string): number {
  if (/^\d+ms$/.test(value)) return Number(value.slice(0, -2));
  try {
    return parseDuration(value) * 1000;
  } catch (error) {
    if (error instanceof EventBusError) {
      throw configError(`${name} is ${JSON.stringify(value)}; use a duration such as 500ms, 10s, 5m or 1h.`);
    }
    throw error;
  }
}

function bool(value: string | undefined, name: string): boolean {
  if (value === undefined || value === "false" || value === "0") return false;
  if (value === "true" || value === "1") return true;
  throw configError(`${name} is ${JSON.stringify(value)}; use true or false.`);
}

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

function logLevel(value: string): string {
  if (!LEVELS.includes(value))
    throw configError(`LOG_LEVEL is ${JSON.stringify(value)}; use one of ${LEVELS.join(", ")}.`);
  return value;
}

/** `--help` text for the settings. */
export function settingsHelp(): string {
  const width = Math.max(...SETTINGS.map((s) => s.flag.length + ("boolean" in s ? 0 : 8)));
  return SETTINGS.map((s) => {
    const flag = `--${s.flag}${"boolean" in s ? "" : " <value>"}`;
    return `  ${flag.padEnd(width + 4)}  ${s.env.padEnd(24)}  ${s.help}`;
  }).join("\n");
}
