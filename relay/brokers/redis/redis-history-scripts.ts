/**
 * The Lua scripts of recoverable channels (docs/architecture.md, "offsets and epochs" and
 * "Rollbacks"): publish with the next offset, position, history pages, epoch renewal. Each touches
 * only the keys of one channel — all sharing the `{<channel>}` hash tag — so it is single-slot on a
 * cluster and atomic everywhere. Written for Redis 7.0 (`redis.call`, effects replication).
 */
import { MESSAGE_ID_PREFIX } from "../../../protocol/position.js";
import { APPEND_EVENT } from "./redis-event-lua.js";

/** A Lua pattern matching `text` literally (magic characters escaped). */
function luaLiteral(text: string): string {
  if (/['\\\n]/.test(text)) throw new Error("luaLiteral: quotes, backslashes and newlines are not supported");
  return text.replace(/[\^$()%.[\]*+\-?]/g, "%$&");
}

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
 * Which event a stored offset holds, and whether a position someone saw is still in the history
 * (docs/architecture.md, "Rollbacks"). A stored message starts with MESSAGE_ID_PREFIX and its id.
 * The hash field `t` keeps "<offset> <id>" of the newest trimmed message, so the check still works
 * for a position just below the oldest message kept.
 */
const STORED_IDS = `
local function id_of(message)
  return string.match(message, '^${luaLiteral(MESSAGE_ID_PREFIX)}([^"]+)"')
end
local function id_at(meta, stream, offset)
  local key = string.format('%d-0', offset)
  local entry = redis.call('XRANGE', stream, key, key)[1]
  if entry then return id_of(entry[2][2]) end
  local trimmed = redis.call('HGET', meta, 't')
  if trimmed then
    local sep = string.find(trimmed, ' ', 1, true)
    if sep and tonumber(string.sub(trimmed, 1, sep - 1)) == offset then return string.sub(trimmed, sep + 1) end
  end
  return nil
end
local function diverged(meta, stream, top, offset, id)
  if offset > top then return true end
  if id == '' or offset == 0 then return false end
  local stored = id_at(meta, stream, offset)
  return stored ~= nil and stored ~= id
end
`;

/**
 * Appends one message to a channel's history with the next offset, and publishes it. The history is
 * capped by count (maxlen) and by bytes (maxbytes): the oldest messages are dropped until both hold
 * (the newest is always kept).
 */
const APPEND_AND_PUBLISH = `${ENSURE_META}${STORED_IDS}
local function trim(meta, stream, maxlen, maxbytes)
  local len = redis.call('XLEN', stream)
  local bytes = tonumber(redis.call('HGET', meta, 'b') or '0')
  local last
  while len > 1 and (len > maxlen or bytes > maxbytes) do
    local oldest = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)[1]
    redis.call('XDEL', stream, oldest[1])
    bytes = redis.call('HINCRBY', meta, 'b', -#oldest[2][2])
    len = len - 1
    last = oldest
  end
  if last then
    local id = id_of(last[2][2])
    if id then redis.call('HSET', meta, 't', string.match(last[1], '^(%d+)') .. ' ' .. id) end
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
 * KEYS: for each item in order, its two keys: an event item's group stream and its config
 *       (redis-event-lua.ts), a recoverable item's meta hash and history stream
 * ARGV: maxLength, ttlMs, metaTtlMs, recoverable publish command (PUBLISH | SPUBLISH), maxBytes, then items:
 *       'E', channel, message                                  an event-type publish
 *       'L', channel, message                                  a plain PUBLISH (no keys; the
 *                                                              cluster's ingress node)
 *       'R', channel, head, middle, tail, candidate epoch       a recoverable publish
 * Returns two values per item: { receivers, '' } or { offset, epoch }.
 */
export const PUBLISH_BATCH = `${APPEND_AND_PUBLISH}${APPEND_EVENT}
local result = {}
local i, k = 6, 1
while i <= #ARGV do
  if ARGV[i] == 'E' then
    result[#result + 1] = publish_event(KEYS[k], KEYS[k + 1], ARGV[i + 1], ARGV[i + 2])
    result[#result + 1] = ''
    k = k + 2
    i = i + 3
  elseif ARGV[i] == 'L' then
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
 * Returns { offset, epoch, id of the event at offset or '' }.
 */
export const POSITION = `${ENSURE_META}${STORED_IDS}
local epoch = ensure_meta(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
local top = tonumber(redis.call('HGET', KEYS[1], 's'))
return { top, epoch, (top > 0 and id_at(KEYS[1], KEYS[2], top)) or '' }
`;

/**
 * The same rules as MemoryHub.readHistory, in one step so position and messages agree. A page holds
 * at most `limit` messages and `maxBytes` bytes (always at least one message); entries are read in
 * small chunks, so a page of big events never loads more than it returns. A `since` past the newest
 * offset, or whose id differs from the event stored at its offset, has diverged (a rollback).
 * KEYS: meta hash, history stream
 * ARGV: candidate epoch, metaTtlMs, since offset, since epoch, limit, maxBytes, since id or ''
 * Returns { top, epoch, recovered (0 | 1), more (0 | 1), top id or '', diverged (0 | 1), message... }.
 */
export const READ_HISTORY = `${ENSURE_META}${STORED_IDS}
local epoch = ensure_meta(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
local top = tonumber(redis.call('HGET', KEYS[1], 's'))
local since = tonumber(ARGV[3])
local limit = tonumber(ARGV[5])
local maxbytes = tonumber(ARGV[6])
local top_id = (top > 0 and id_at(KEYS[1], KEYS[2], top)) or ''
if ARGV[4] ~= epoch then return { top, epoch, 0, 0, top_id, 0 } end
if diverged(KEYS[1], KEYS[2], top, since, ARGV[7]) then return { top, epoch, 0, 0, top_id, 1 } end
if since == top then return { top, epoch, 1, 0, top_id, 0 } end
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
if not first then return { top, epoch, 0, 0, top_id, 0 } end
local first_offset = tonumber(string.match(first[1], '^(%d+)'))
if first_offset > since + 1 then return { top, epoch, 0, 0, top_id, 0 } end
local result = { top, epoch, 1, 0, top_id, 0 }
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

/**
 * Starts a new epoch when the history no longer holds a position a relay saw live (same epoch, but
 * the offset is past the newest or holds another event: a failover lost acknowledged writes). The
 * stream is dropped with the old epoch, so a client replaying the new epoch from offset 0 gets only
 * events published after the renewal — never one twice. Checked and renewed in one step, so relays
 * that notice the same rollback renew it once.
 * KEYS: meta hash, history stream
 * ARGV: seen epoch, seen offset, seen id or '', candidate epoch, metaTtlMs
 * Returns { renewed (0 | 1), offset, epoch }.
 */
export const RENEW_EPOCH = `${ENSURE_META}${STORED_IDS}
local current = redis.call('HGET', KEYS[1], 'e')
local top = tonumber(redis.call('HGET', KEYS[1], 's') or '0')
if current ~= ARGV[1] or not diverged(KEYS[1], KEYS[2], top, tonumber(ARGV[2]), ARGV[3]) then
  local epoch = ensure_meta(KEYS[1], KEYS[2], ARGV[4], ARGV[5])
  return { 0, tonumber(redis.call('HGET', KEYS[1], 's')), epoch }
end
redis.call('DEL', KEYS[2])
redis.call('HDEL', KEYS[1], 't')
redis.call('HSET', KEYS[1], 'e', ARGV[4], 's', 0, 'b', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return { 1, 0, ARGV[4] }
`;
