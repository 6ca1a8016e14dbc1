/**
 * The Lua scripts behind consumer groups on Redis (relay/brokers/group-streams.ts). Each touches
 * only one event type's keys — `{<channel>}:events` and `{<channel>}:events:config`, sharing the
 * channel's hash tag — so it is single-slot on a cluster and atomic everywhere. Written for
 * Redis 7.0 (XAUTOCLAIM reports trimmed entries; effects replication, so TIME may precede writes).
 */
import { APPEND_EVENT } from "./redis-event-lua.js";
import { LuaScript } from "./redis-scripts.js";

/**
 * KEYS: stream, config   ARGV: channel, message
 * Returns the PUBLISH receiver count.
 */
export const PUBLISH_EVENT = `${APPEND_EVENT}
return publish_event(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
`;

/**
 * The cluster's half of an event publish (the PUBLISH itself goes through the ingress node,
 * cluster-events.ts): appends each message whose type has groups.
 * KEYS: stream and config of each message, in order (all in one slot)   ARGV: the messages
 * Returns how many were appended.
 */
export const APPEND_IF_GROUPED = `${APPEND_EVENT}
local appended = 0
for i = 1, #ARGV do appended = appended + append_if_grouped(KEYS[2 * i - 1], KEYS[2 * i], ARGV[i]) end
return appended
`;

/**
 * KEYS: stream, config   ARGV: group, maxLength, maxAgeMs
 * Returns 1 when the group was created now, 0 when it existed.
 */
export const CREATE_GROUP = `
redis.call('HSET', KEYS[2], 'maxlen', ARGV[2], 'maxage', ARGV[3])
local reply = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '$', 'MKSTREAM')
if type(reply) == 'table' and reply.err then
  if string.find(reply.err, 'BUSYGROUP', 1, true) then return 0 end
  return redis.error_reply(reply.err)
end
return 1
`;

/**
 * KEYS: stream   ARGV: group, consumer, count
 * Returns the new entries: { id, fields } each.
 */
export const READ_GROUP = `
local reply = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS', KEYS[1], '>')
if not reply then return {} end
return reply[1][2]
`;

/**
 * KEYS: stream   ARGV: group, consumer, minIdleMs, cursor, count
 * Returns { next cursor, trimmed ids, id1, fields1, deliveries1, id2, … }.
 */
export const CLAIM_IDLE = `
local reply = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', ARGV[5])
local out = { reply[1], reply[3] or {} }
for _, entry in ipairs(reply[2]) do
  if entry[2] then
    local pending = redis.call('XPENDING', KEYS[1], ARGV[1], entry[1], entry[1], 1)
    local deliveries = 1
    if pending[1] then deliveries = pending[1][4] end
    out[#out + 1] = entry[1]
    out[#out + 1] = entry[2]
    out[#out + 1] = deliveries
  end
end
return out
`;

/**
 * KEYS: stream   ARGV: group, consumer, deliveries ('' to leave the counter), ids…
 * Resets the idle time of the ids the consumer still owns; returns those ids.
 */
export const TOUCH = `
local owned = {}
for i = 4, #ARGV do
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if pending[1] and pending[1][2] == ARGV[2] then
    if ARGV[3] == '' then
      redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    else
      redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID', 'RETRYCOUNT', ARGV[3])
    end
    owned[#owned + 1] = ARGV[i]
  end
end
return owned
`;

/**
 * KEYS: stream, config
 * Returns { now ms, length, maxlen|'', maxage|'', oldest id|'', then per group:
 *           name, consumers, pending, last delivered id, lag (-1: unknown), oldest pending id|'' }.
 */
export const STREAM_INFO = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local bounds = redis.call('HMGET', KEYS[2], 'maxlen', 'maxage')
local out = { now, 0, bounds[1] or '', bounds[2] or '', '' }
if redis.call('EXISTS', KEYS[1]) == 0 then return out end
out[2] = redis.call('XLEN', KEYS[1])
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
if first then out[5] = first[1] end
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local fields = {}
  for i = 1, #group, 2 do fields[group[i]] = group[i + 1] end
  local summary = redis.call('XPENDING', KEYS[1], fields['name'])
  local lag = fields['lag']
  if not lag then lag = -1 end
  out[#out + 1] = fields['name']
  out[#out + 1] = fields['consumers']
  out[#out + 1] = fields['pending']
  out[#out + 1] = fields['last-delivered-id']
  out[#out + 1] = lag
  out[#out + 1] = summary[2] or ''
end
return out
`;

/**
 * KEYS: stream, config   ARGV: message, only group
 * Appends for one group (no PUBLISH); returns the entry id, or false when the type has no groups.
 */
export const APPEND_FOR_GROUP = `${APPEND_EVENT}
local bounds = redis.call('HMGET', KEYS[2], 'maxlen', 'maxage')
if not bounds[1] then return false end
return append_event(KEYS[1], bounds[1], bounds[2], ARGV[1], ARGV[2])
`;

/**
 * KEYS: stream   ARGV: group, consumer
 * Deletes the consumer when it owns no pending entries; returns 1 if deleted.
 */
export const REMOVE_CONSUMER = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
local reply = redis.pcall('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if type(reply) == 'table' and reply.err then return 1 end
if reply[1] then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

export const GROUP_SCRIPTS = Object.freeze({
  publishEvent: new LuaScript(PUBLISH_EVENT),
  appendIfGrouped: new LuaScript(APPEND_IF_GROUPED),
  createGroup: new LuaScript(CREATE_GROUP),
  readGroup: new LuaScript(READ_GROUP),
  claimIdle: new LuaScript(CLAIM_IDLE),
  touch: new LuaScript(TOUCH),
  streamInfo: new LuaScript(STREAM_INFO),
  appendForGroup: new LuaScript(APPEND_FOR_GROUP),
  removeConsumer: new LuaScript(REMOVE_CONSUMER),
});
