/**
 * The one rule for Redis URLs, wherever one is given (the relay's EVENT_BUS_REDIS_URL and
 * --redis-url, the backend's `redis` option, a broker configuration): `redis://` or `rediss://`
 * (TLS), a host, an optional port, user and password, and database number. And the URL as it may
 * appear in messages and logs: with the password replaced by `***`.
 */
import { EventBusError } from "../../../protocol/errors.js";

const SCHEME = /^rediss?:\/\//i;

/** Returns `value` when it is a Redis URL; throws CONFIG_INVALID naming `setting` and the fix. */
export function checkRedisUrl(value: string, setting: string): string {
  const problem = redisUrlProblem(value);
  if (problem === undefined) return value;
  const bare = /^[^\s/:@]+:\d+$/.test(value) ? `redis://${value}` : "redis://host:6379";
  throw new EventBusError(
    "CONFIG_INVALID",
    `${setting} is ${JSON.stringify(redactRedisUrl(value))}, which ${problem}.`,
    {
      hint: `Write a URL: ${bare} (rediss:// for TLS; redis://:password@host:6379 or redis://user:password@host:6379 with a password).`,
    },
  );
}

function redisUrlProblem(value: string): string | undefined {
  if (!SCHEME.test(value)) return "is not a Redis URL (it must start with redis:// or rediss://)";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "cannot be parsed as a URL";
  }
  if (url.hostname === "") return "has no host";
  const db = url.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d+$/.test(db)) return `names database ${JSON.stringify(db)}, which is not a number`;
  return undefined;
}

/** The URL with its password (if any) replaced by ***, for messages and logs. */
export function redactRedisUrl(value: string): string {
  // Greedy up to the last "@": a password may itself contain "@".
  return value.replace(/^(rediss?:\/\/[^:/@]*:).*@/i, "$1***@");
}
