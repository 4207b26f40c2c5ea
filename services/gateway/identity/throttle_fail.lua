-- One failed login for each key: KEYS[2i-1] counts its failures, KEYS[2i]
-- is its lock. ARGV: free attempts, base delay ms, max delay ms. The count
-- lives as long as the longest lock; a failure past the free ones locks the
-- key for base * 2^(over - 1) ms, at most max. Times are the server's (TTLs).
local free, base, maxd = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 1, #KEYS, 2 do
  local n = redis.call('INCR', KEYS[i])
  redis.call('PEXPIRE', KEYS[i], maxd * 2)
  local over = n - free
  if over > 0 then
    local d = base * 2 ^ math.min(over - 1, 20)
    if d > maxd then d = maxd end
    redis.call('SET', KEYS[i + 1], '1', 'PX', string.format('%d', d))
  end
end
return 0
