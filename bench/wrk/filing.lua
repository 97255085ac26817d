-- POST a complete public filing as JSON: to the site's API, or to the
-- baseline's /insert (the path comes from the environment of wrk's caller).
local path = os.getenv("BENCH_PATH") or "/api/v1/cases"
local n = 0

request = function()
  n = n + 1
  local body = string.format([[{"kind": "complaint", "category": "data-service",
"subject": "ขอข้อมูลสถิติแล้วยังไม่ได้รับ %d",
"description": "ยื่นคำขอข้อมูลสถิติรายจังหวัดทางอีเมลแล้วยังไม่ได้รับคำตอบ ขอให้ช่วยติดตามให้ด้วย",
"complainant": {"name": "ผู้ร้อง ทดสอบ", "email": "filer%d@example.com", "phone": "0812345678", "address": "1 หมู่ 2 จังหวัดขอนแก่น"},
"anonymous": false, "consent": true, "certify_true": true}]], n, n)
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end

local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
