/**
 * The Lua scripts behind the Redis brokers: the registry (SCRIPTS), how they run, and the presence
 * scripts; those of recoverable channels live in redis-history-scripts.ts. Each script touches only
 * the keys of one channel — all sharing the `{<channel>}` hash tag — so it is single-slot on a
 * cluster and atomic everywhere. Written for Redis 7.0 (`redis.call`, effects replication, so TIME
 * may be read before writing).
 *
 * Scripts run with EVALSHA and fall back to EVAL when the server answers NOSCRIPT (a restarted
 * Redis has an empty script cache); EVAL caches the script again for the next EVALSHA.
 */
import { createHash } from "node:crypto";
import {
  POSITION,
  PUBLISH_BATCH,
  PUBLISH_RECOVERABLE,
  READ_HISTORY,
  RENEW_EPOCH,
} from "./redis-history-scripts.js";

/** Milliseconds on the server's clock, so relays with skewed clocks agree on presence expiry. */
const NOW_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/**
 * KEYS: presence hash
 * ARGV: ttlMs, then pairs of connection id and record JSON (an object)
 * Stores each record with `"expiresAt":<ms>` appended, and keeps the hash alive at least ttlMs.
 */
export const PRESENCE_ADD = `${NOW_MS}
local ttl = tonumber(ARGV[1])
local expires = string.format('%d', now + ttl)
for i = 2, #ARGV, 2 do
  local record = ARGV[i + 1]
  redis.call('HSET', KEYS[1], ARGV[i], string.sub(record, 1, -2) .. ',"expiresAt":' .. expires .. '}')
end
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`;

/**
 * KEYS: presence hash
 * Returns { live records, expired records }; expired records are deleted here, so exactly one
 * caller sees each of them.
 */
export const PRESENCE_LIST = `${NOW_MS}
local all = redis.call('HGETALL', KEYS[1])
local members, expired = {}, {}
for i = 1, #all, 2 do
  local record = all[i + 1]
  local expires = tonumber(string.match(record, '"expiresAt":(%d+)}$') or '0')
  if now < expires then
    members[#members + 1] = record
  else
    expired[#expired + 1] = record
    redis.call('HDEL', KEYS[1], all[i])
  end
end
return { members, expired }
`;

/** What a script needs from ioredis: Redis and Cluster both fit. */
export interface ScriptClient {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  async run(
    client: ScriptClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

export const SCRIPTS = Object.freeze({
  publishRecoverable: new LuaScript(PUBLISH_RECOVERABLE),
  publishBatch: new LuaScript(PUBLISH_BATCH),
  position: new LuaScript(POSITION),
  readHistory: new LuaScript(READ_HISTORY),
  renewEpoch: new LuaScript(RENEW_EPOCH),
  presenceAdd: new LuaScript(PRESENCE_ADD),
  presenceList: new LuaScript(PRESENCE_LIST),
});
