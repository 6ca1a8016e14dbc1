/**
 * The relay's configuration from command-line flags and environment variables (flags win), for
 * `event-bus relay`. Every value is validated; a missing or contradictory setting throws
 * CONFIG_INVALID with one line naming it and the fix. Which settings exist, and their flags and
 * variables, is relay-settings.ts; secrets come only from the environment or a file.
 */
import { readFileSync } from "node:fs";
import { EventBusError } from "../../protocol/errors.js";
import { parseDuration } from "../auth/create-token.js";
import { type BrokerConfig, brokerConfigFromEnv } from "../brokers/create-broker.js";
import { checkRedisUrl } from "../brokers/redis/redis-url.js";
import { LIMIT_KEYS, limitExample, parseLimit, RELAY_LIMIT_SPECS } from "../edge/limit-specs.js";
import { configError, type RelayLimits, type RelayOptions } from "../edge/options.js";
import { type BaseFlag, parseRelayFlags, type RelayFlags, settingValues } from "./relay-settings.js";

type Env = Readonly<Record<string, string | undefined>>;
type Values = Partial<Record<BaseFlag, string>> & Readonly<Record<string, string>>;

export interface RelayCommandConfig {
  readonly options: RelayOptions;
  readonly brokerConfig: BrokerConfig;
}

/** Flags (parsed by parseRelayFlags) then the environment; throws CONFIG_INVALID naming the setting. */
export function relayConfig(
  args: readonly string[] | RelayFlags,
  env: Env = process.env,
): RelayCommandConfig {
  const flags = isFlags(args) ? args : parseRelayFlags(args);
  refusePasswordInFlag(flags.values["redis-url"]);
  const values: Values = settingValues(flags, env);
  const brokerConfig = brokerFrom(values);
  const options: RelayOptions = {
    auth: authFrom(values, env),
    ...(values.port !== undefined && { port: integer(values.port, "PORT (--port)") }),
    ...(values.host !== undefined && { host: values.host }),
    ...(values.prefix !== undefined && { prefix: values.prefix }),
    ...(values["cors-origins"] !== undefined && { corsOrigins: origins(values["cors-origins"]) }),
    longPolling: bool(values["long-polling"], "RELAY_LONG_POLLING (--long-polling)"),
    ...optional(values["trust-proxy"], "trustProxy", (v) => integer(v, "TRUST_PROXY (--trust-proxy)")),
    ...optional(values["recovery-page-size"], "recoveryPageSize", (v) => integer(v, "RECOVERY_PAGE_SIZE")),
    ...optional(values["latest-only"], "latestOnly", (v) => latestOnly(v)),
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
    ...metricsFrom(values, env),
  };
  return { options, brokerConfig };
}

/** `type=key.path,type=key.path` → latest-only rules (checked by the relay's options). */
function latestOnly(value: string): Record<string, string> {
  const rules: Record<string, string> = {};
  for (const pair of value
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [type, path, extra] = pair.split("=");
    if (!type || !path || extra !== undefined) {
      throw configError(
        `LATEST_ONLY (--latest-only): ${JSON.stringify(pair)} must be type=key.path, e.g. photo.processing.progress=data.photoId.`,
      );
    }
    rules[type.trim()] = path.trim();
  }
  return rules;
}

function isFlags(value: readonly string[] | RelayFlags): value is RelayFlags {
  return !Array.isArray(value);
}

/** A Redis password in argv would show in `ps`: the URL with a password belongs in the environment. */
function refusePasswordInFlag(url: string | undefined): void {
  if (url === undefined || !/^rediss?:\/\/[^/@]*:[^/@]+@/.test(url)) return;
  throw configError(
    "--redis-url holds a password, which would show in `ps` and the shell history; set EVENT_BUS_REDIS_URL in the environment instead.",
  );
}

function optional<K extends string, T>(value: string | undefined, key: K, parse: (v: string) => T) {
  return value === undefined ? {} : ({ [key]: parse(value) } as Record<K, T>);
}

function brokerFrom(values: Values): BrokerConfig {
  const url = values["redis-url"];
  if (url !== undefined) checkRedisUrl(url, "EVENT_BUS_REDIS_URL (--redis-url)");
  const base = brokerConfigFromEnv({
    EVENT_BUS_REDIS_URL: values["redis-url"],
    EVENT_BUS_REDIS_CLUSTER: values["redis-cluster"],
    EVENT_BUS_PREFIX: values.prefix,
  });
  const maxLength = values["history-max-length"];
  const maxBytes = values["history-max-bytes"];
  const ttl = values["history-ttl"];
  const withHealth = healthFrom(base, values["redis-health-check"]);
  if (maxLength === undefined && ttl === undefined && maxBytes === undefined) return withHealth;
  const history = {
    ...(maxLength !== undefined && { maxLength: integer(maxLength, "HISTORY_MAX_LENGTH") }),
    ...(maxBytes !== undefined && { maxBytes: bytes(maxBytes, "HISTORY_MAX_BYTES (--history-max-bytes)") }),
    ...(ttl !== undefined && { ttlMs: millis(ttl, "HISTORY_TTL") }),
  };
  return { ...withHealth, history };
}

/** REDIS_HEALTH_CHECK: the Redis brokers' health-ping interval ("0" turns it off). */
function healthFrom(base: BrokerConfig, value: string | undefined): BrokerConfig {
  if (value === undefined || base.broker === "memory") return base;
  const healthCheckMs = value === "0" ? 0 : millis(value, "REDIS_HEALTH_CHECK (--redis-health-check)");
  return { ...base, tuning: { ...base.tuning, healthCheckMs } };
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
    ...(bool(values["dangerously-allow-short-secret"], "EVENT_BUS_DANGEROUSLY_ALLOW_SHORT_SECRET") && {
      dangerouslyAllowShortSecret: true,
    }),
  };
}

/** A separate metrics listener and/or a bearer token for /metrics (the token only from env or a file). */
function metricsFrom(values: Values, env: Env): Pick<RelayOptions, "metrics"> {
  const port = values["metrics-port"];
  const host = values["metrics-host"];
  const token = env.METRICS_TOKEN || readSecretFile(values["metrics-token-file"], "METRICS_TOKEN_FILE");
  if (port === undefined && host === undefined && !token) return {};
  return {
    metrics: {
      ...(port !== undefined && { port: integer(port, "METRICS_PORT (--metrics-port)") }),
      ...(host !== undefined && { host }),
      ...(token && { token }),
    },
  };
}

function limitsFrom(values: Values): Partial<RelayLimits> {
  const limits: Partial<Record<keyof RelayLimits, number>> = {};
  for (const key of LIMIT_KEYS) {
    const { flag, env } = RELAY_LIMIT_SPECS[key];
    const text = values[flag];
    if (text === undefined) continue;
    const value = parseLimit(key, text);
    if (value === undefined) {
      throw configError(`${env} (--${flag}) is ${JSON.stringify(text)}; use ${limitExample(key)}.`);
    }
    limits[key] = value;
  }
  return limits;
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

/** A size as operators write it (`8388608`, `8mb`), with the limits' byte units. */
function bytes(value: string, name: string): number {
  const parsed = parseLimit("maxPageBytes", value);
  if (parsed === undefined)
    throw configError(`${name} is ${JSON.stringify(value)}; use ${limitExample("maxPageBytes")}.`);
  return parsed;
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
