-- wrk script: POST licence checks for known users, picked at random from $BENCH_USERS
-- (lines "organization_guid user_guid").
local users = {}
for line in io.lines(os.getenv("BENCH_USERS")) do
  local org, user = line:match("(%S+)%s+(%S+)")
  if org then users[#users + 1] = { org, user } end
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/xml"

request = function()
  local pick = users[math.random(#users)]
  local body = "<MobileClient><Version>6.2.1.0</Version><DeviceInfo>Galaxy Tab S8 Android 14</DeviceInfo>"
    .. "<OrganizationId>" .. pick[1] .. "</OrganizationId><UserId>" .. pick[2] .. "</UserId></MobileClient>"
  return wrk.format(nil, nil, nil, body)
end
