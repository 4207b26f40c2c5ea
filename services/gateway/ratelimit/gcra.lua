-- GCRA over several buckets at once: every bucket takes the request, or none.
-- KEYS[i]: a bucket; ARGV[2i-1]: its emission interval in microseconds;
-- ARGV[2i]: its burst. A key holds the bucket's theoretical arrival time in
-- microseconds of the Redis server clock, and expires once the bucket is full.
-- Returns per bucket {allowed 0|1, remaining, reset_us, retry_after_us}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local res, next, allowed = {}, {}, true
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]))
  if tat == nil or tat < now then tat = now end
  local nt = tat + interval
  local allow_at = nt - burst * interval
  if now < allow_at then
    allowed = false
    res[i] = {0, 0, tat - now, allow_at - now}
  else
    res[i] = {1, math.floor((now - allow_at) / interval), nt - now, 0}
    next[i] = nt
  end
end
if allowed then
  for i = 1, #KEYS do
    local ttl = math.ceil((next[i] - now) / 1000) + 1
    redis.call('SET', KEYS[i], string.format('%d', next[i]), 'PX', string.format('%d', ttl))
  end
end
return res
