/**
 * The Lua functions shared by the group scripts (redis-group-scripts.ts) and the batch publish
 * script (redis-history-scripts.ts): append an event to its type's group stream within the stream's
 * bounds, append only when the type has groups, and publish an event-type message (append when
 * the type has groups, then PUBLISH).
 * A leaf module (no imports), so both script modules can use it.
 */
export const APPEND_EVENT = `
local function append_event(stream, maxlen, maxage, message, only)
  local id
  if only then
    id = redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'd', message, 'o', only)
  else
    id = redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'd', message)
  end
  local age = tonumber(maxage or '0') or 0
  if age > 0 then
    local t = redis.call('TIME')
    local cutoff = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - age
    if cutoff > 0 then redis.call('XTRIM', stream, 'MINID', '~', cutoff) end
  end
  return id
end

local function append_if_grouped(stream, config, message)
  local bounds = redis.call('HMGET', config, 'maxlen', 'maxage')
  if bounds[1] then
    append_event(stream, bounds[1], bounds[2], message, nil)
    return 1
  end
  return 0
end

local function publish_event(stream, config, channel, message)
  append_if_grouped(stream, config, message)
  return redis.call('PUBLISH', channel, message)
end
`;
