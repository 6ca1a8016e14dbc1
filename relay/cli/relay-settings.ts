/**
 * The settings of `event-bus relay`: each one's flag, environment variable and `--help` line, in
 * the order `--help` lists them. The limits come from the relay's own table (edge/limit-specs.ts),
 * so every limit is a flag and a variable without being listed here. Secrets are refused as flags:
 * a command line shows in `ps` and in the shell history.
 */
import { LIMIT_KEYS, limitDefault, RELAY_LIMIT_SPECS } from "../edge/limit-specs.js";
import { configError, DEFAULT_RELAY_LIMITS } from "../edge/options.js";
import { parseCommandLine } from "./usage.js";

interface Setting {
  readonly flag: string;
  readonly env: string;
  readonly help: string;
  readonly boolean?: true;
}

/** The relay's settings other than limits. */
export const BASE_SETTINGS = [
  { flag: "port", env: "PORT", help: "port to listen on (default 8080; 0 picks a free one)" },
  { flag: "host", env: "HOST", help: "address to bind (default 0.0.0.0)" },
  {
    flag: "redis-url",
    env: "EVENT_BUS_REDIS_URL",
    help: "redis://host:port (neither this nor a cluster: memory broker); a password only in the env",
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
  {
    flag: "trust-proxy",
    env: "TRUST_PROXY",
    help: "proxies whose X-Forwarded-For is trusted for the client address (default 0: none)",
  },
  {
    flag: "dangerously-allow-short-secret",
    env: "EVENT_BUS_DANGEROUSLY_ALLOW_SHORT_SECRET",
    help: "development only: accept a JWT_SECRET shorter than 32 bytes",
    boolean: true,
  },
  {
    flag: "metrics-port",
    env: "METRICS_PORT",
    help: "serve /metrics on this port (on metrics-host) instead of the public listener",
  },
  { flag: "metrics-host", env: "METRICS_HOST", help: "address of the metrics listener (default 127.0.0.1)" },
  {
    flag: "metrics-token-file",
    env: "METRICS_TOKEN_FILE",
    help: "file holding the bearer token /metrics requires (or set METRICS_TOKEN)",
  },
  { flag: "history-max-length", env: "HISTORY_MAX_LENGTH", help: "events kept per channel (default 1000)" },
  {
    flag: "history-max-bytes",
    env: "HISTORY_MAX_BYTES",
    help: "bytes of events kept per channel, e.g. 8mb (default 8mb; the oldest go first)",
  },
  { flag: "history-ttl", env: "HISTORY_TTL", help: "history lifetime after the last publish, e.g. 5m" },
  {
    flag: "recovery-page-size",
    env: "RECOVERY_PAGE_SIZE",
    help: "events per recovery page (default 100, max 500)",
  },
  {
    flag: "latest-only",
    env: "LATEST_ONLY",
    help: "latest-only event types and their keys, e.g. photo.processing.progress=data.photoId,…",
  },
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

export type BaseFlag = (typeof BASE_SETTINGS)[number]["flag"];

/** One setting per relay limit, from the limits table. */
export const LIMIT_SETTINGS: readonly Setting[] = LIMIT_KEYS.map((key) => {
  const spec = RELAY_LIMIT_SPECS[key];
  return {
    flag: spec.flag,
    env: spec.env,
    help: `${spec.help}; default ${limitDefault(key, DEFAULT_RELAY_LIMITS)}`,
  };
});

const SETTINGS: readonly Setting[] = [...BASE_SETTINGS, ...LIMIT_SETTINGS];

/** Flags that would put a secret on the command line, and where the secret goes instead. */
const SECRET_FLAGS: Readonly<Record<string, string>> = {
  "jwt-secret": "set JWT_SECRET in the environment, or pass --jwt-secret-file <path>",
  "jwt-public-key": "set JWT_PUBLIC_KEY in the environment, or pass --jwt-public-key-file <path>",
  secret: "set JWT_SECRET in the environment, or pass --jwt-secret-file <path>",
};

export interface RelayFlags {
  /** Flag name → value as given ("true" for boolean flags). */
  readonly values: Readonly<Record<string, string>>;
  readonly help: boolean;
}

/** Parses the command line; unknown options are usage errors, secret flags CONFIG_INVALID. */
export function parseRelayFlags(args: readonly string[]): RelayFlags {
  refuseSecretFlags(args);
  const options = Object.fromEntries(
    SETTINGS.map((s) => [s.flag, { type: s.boolean ? ("boolean" as const) : ("string" as const) }]),
  );
  const parsed = parseCommandLine({
    args: [...args],
    options: { ...options, help: { type: "boolean", short: "h" } },
  });
  const values: Record<string, string> = {};
  for (const [flag, value] of Object.entries(parsed.values)) {
    if (flag !== "help" && value !== undefined) values[flag] = String(value);
  }
  return { values, help: parsed.values.help === true };
}

function refuseSecretFlags(args: readonly string[]): void {
  for (const arg of args) {
    if (arg === "--") return;
    const flag = /^--([^=]+)/.exec(arg)?.[1];
    const instead = flag === undefined ? undefined : SECRET_FLAGS[flag];
    if (instead !== undefined) {
      throw configError(
        `--${flag} is not accepted: a secret on the command line shows in \`ps\` and the shell history; ${instead}.`,
      );
    }
  }
}

/** Every setting's value: the flag's, else the environment variable's (trimmed, empty = unset). */
export function settingValues(
  flags: RelayFlags,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const s of SETTINGS) {
    const value = flags.values[s.flag] ?? env[s.env]?.trim();
    if (value !== undefined && value !== "") values[s.flag] = value;
  }
  return values;
}

/** The option lines of `event-bus relay --help`: settings, then limits. */
export function settingsHelp(): string {
  const width = Math.max(...SETTINGS.map((s) => s.flag.length + (s.boolean ? 0 : 8)));
  const envWidth = Math.max(...SETTINGS.map((s) => s.env.length));
  const line = (s: Setting) => {
    const flag = `--${s.flag}${s.boolean ? "" : " <value>"}`;
    return `  ${flag.padEnd(width + 2)}  ${s.env.padEnd(envWidth)}  ${s.help}`;
  };
  return [
    "Options:",
    ...BASE_SETTINGS.map(line),
    "",
    "Limits (bytes accept kb/mb/gb, durations ms/s/m/h):",
    ...LIMIT_SETTINGS.map(line),
  ].join("\n");
}
