/**
 * The Lua scripts behind the Redis brokers (docs/architecture.md, "offsets and epochs"). Each one
 * touches only the keys of one channel — all sharing the `{<channel>}` hash tag — so it is
 * single-slot on a cluster and atomic everywhere. Written for Redis 7.0 (`redis.call`, effects
 * replication, so TIME may be read before writing).
 *
 * Scripts run with EVALSHA and fall back to EVAL when the server answers NOSCRIPT (a restarted
 * Redis has an empty script cache); EVAL caches the script again for the next EVALSHA.
 */
import { createHash } from "node:crypto";

/**
 * Creates the channel's epoch hash when missing (dropping any stale stream); refreshes its ttl.
 * The hash: `e` epoch, `s` newest offset, `b` bytes of messages in the stream (for the byte cap).
 */
const ENSURE_META = `
local function ensure_meta(meta, stream, candidate, meta_ttl)
  local epoch = redis.call('HGET', meta, 'e')
  if not epoch then
    epoch = candidate
    redis.call('DEL', stream)
    redis.call('HSET', meta, 'e', epoch, 's', 0, 'b', 0)
  end
  redis.call('PEXPIRE', meta, meta_ttl)
  return epoch
end
`;

/**
 * Appends one message to a channel's history with the next offset, and publishes it. The history is
 * capped by count (maxlen) and by bytes (maxbytes): the oldest messages are dropped until both hold
 * (the newest is always kept).
 */
const APPEND_AND_PUBLISH = `${ENSURE_META}
local function trim(meta, stream, maxlen, maxbytes)
  local len = redis.call('XLEN', stream)
  local bytes = tonumber(redis.call('HGET', meta, 'b') or '0')
  while len > 1 and (len > maxlen or bytes > maxbytes) do
    local oldest = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)[1]
    redis.call('XDEL', stream, oldest[1])
    bytes = redis.call('HINCRBY', meta, 'b', -#oldest[2][2])
    len = len - 1
  end
end
local function append_and_publish(meta, stream, head, middle, tail, channel, candidate, maxlen, ttl, meta_ttl, command, maxbytes)
  local epoch = ensure_meta(meta, stream, candidate, meta_ttl)
  local offset = redis.call('HINCRBY', meta, 's', 1)
  local text = string.format('%d', offset)
  local message = head .. text .. middle .. epoch .. tail
  if redis.call('EXISTS', stream) == 0 then redis.call('HSET', meta, 'b', 0) end
  redis.call('XADD', stream, text .. '-0', 'd', message)
  redis.call('HINCRBY', meta, 'b', #message)
  trim(meta, stream, tonumber(maxlen), tonumber(maxbytes))
  redis.call('PEXPIRE', stream, ttl)
  redis.call(command, channel, message)
  return offset, epoch, text
end
`;

/**
 * KEYS: meta hash, history stream[, dedup key]
 * ARGV: head, middle, tail, channel, maxLength, ttlMs, metaTtlMs, candidate epoch,
 *       publish command (PUBLISH | SPUBLISH), dedupTtlMs, maxBytes
 * Returns { offset, epoch, duplicate (0 | 1) }.
 */
export const PUBLISH_RECOVERABLE = `${APPEND_AND_PUBLISH}
local dedup = KEYS[3]
if dedup then
  local previous = redis.call('GET', dedup)
  if previous then
    local sep = string.find(previous, ':', 1, true)
    return { tonumber(string.sub(previous, 1, sep - 1)), string.sub(previous, sep + 1), 1 }
  end
end
local offset, epoch, text = append_and_publish(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[8],
  ARGV[5], ARGV[6], ARGV[7], ARGV[9], ARGV[11])
if dedup then
  redis.call('SET', dedup, text .. ':' .. epoch, 'PX', ARGV[10])
end
return { offset, epoch, 0 }
`;

/**
 * Many publishes in one command, in order (the batching path: one script call instead of one
 * command per event).
 * KEYS: meta hash and history stream of each recoverable item, in order
 * ARGV: maxLength, ttlMs, metaTtlMs, recoverable publish command (PUBLISH | SPUBLISH), maxBytes, then items:
 *       'L', channel, message                                  a live PUBLISH
 *       'R', channel, head, middle, tail, candidate epoch       a recoverable publish
 * Returns two values per item: { receivers, '' } or { offset, epoch }.
 */
export const PUBLISH_BATCH = `${APPEND_AND_PUBLISH}
local result = {}
local i, k = 6, 1
while i <= #ARGV do
  if ARGV[i] == 'L' then
    result[#result + 1] = redis.call('PUBLISH', ARGV[i + 1], ARGV[i + 2])
    result[#result + 1] = ''
    i = i + 3
  else
    local offset, epoch = append_and_publish(KEYS[k], KEYS[k + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4],
      ARGV[i + 1], ARGV[i + 5], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
    result[#result + 1] = offset
    result[#result + 1] = epoch
    k = k + 2
    i = i + 6
  end
end
return result
`;

/**
 * KEYS: meta hash, history stream
 * ARGV: candidate epoch, metaTtlMs
 * Returns { offset, epoch }.
 */
export const POSITION = `${ENSURE_META}
local epoch = ensure_meta(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
return { tonumber(redis.call('HGET', KEYS[1], 's')), epoch }
`;

/**
 * The same rules as MemoryHub.readHistory, in one step so position and messages agree. A page holds
 * at most `limit` messages and `maxBytes` bytes (always at least one message); entries are read in
 * small chunks, so a page of big events never loads more than it returns.
 * KEYS: meta hash, history stream
 * ARGV: candidate epoch, metaTtlMs, since offset, since epoch, limit, maxBytes
 * Returns { top, epoch, recovered (0 | 1), more (0 | 1), message... }.
 */
export const READ_HISTORY = `${ENSURE_META}
local epoch = ensure_meta(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
local top = tonumber(redis.call('HGET', KEYS[1], 's'))
local since = tonumber(ARGV[3])
local limit = tonumber(ARGV[5])
local maxbytes = tonumber(ARGV[6])
if ARGV[4] ~= epoch or since > top then return { top, epoch, 0, 0 } end
if since == top then return { top, epoch, 1, 0 } end
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
if not first then return { top, epoch, 0, 0 } end
local first_offset = tonumber(string.match(first[1], '^(%d+)'))
if first_offset > since + 1 then return { top, epoch, 0, 0 } end
local result = { top, epoch, 1, 0 }
local count, bytes = 0, 0
local start = string.format('%d-0', since + 1)
while true do
  local entries = redis.call('XRANGE', KEYS[2], start, '+', 'COUNT', 8)
  if #entries == 0 then return result end
  for i = 1, #entries do
    local message = entries[i][2][2]
    if count >= limit or (count > 0 and bytes + #message > maxbytes) then
      result[4] = 1
      return result
    end
    result[#result + 1] = message
    count = count + 1
    bytes = bytes + #message
  end
  start = '(' .. entries[#entries][1]
end
`;

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
  presenceAdd: new LuaScript(PRESENCE_ADD),
  presenceList: new LuaScript(PRESENCE_LIST),
});
