-- GET a case with its code and key, taken at random from the generated data
-- (BENCH_KEYS: a file of "code key" lines). The site answers
-- /api/v1/cases/<code> with X-Access-Key; the baseline /select/<code>.
local prefix = os.getenv("BENCH_PATH") or "/api/v1/cases/"
local pairs_ = {}
for line in io.lines(os.getenv("BENCH_KEYS")) do
  local code, key = line:match("^(%S+)%s+(%S+)$")
  if code then table.insert(pairs_, {code, key}) end
end
math.randomseed(os.time())

request = function()
  local pick = pairs_[math.random(#pairs_)]
  return wrk.format("GET", prefix .. pick[1], {["X-Access-Key"] = pick[2]})
end
