-- wrk script: a first-sync storm. POST licence checks of users nobody has seen yet, in the
-- organization of the first line of $BENCH_USERS ("organization_guid user_guid"): every
-- request creates a user (Enabled while seats last, then Pending).
local first = io.lines(os.getenv("BENCH_USERS"))()
local org = first:match("(%S+)")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/xml"

-- Each wrk thread has its own Lua state: seed it apart, so threads draw different GUIDs.
function setup(thread)
  thread:set("seed", math.random(1, 2 ^ 30))
end

function init(args)
  math.randomseed(seed or os.time())
end

local function guid()
  return string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end)
end

request = function()
  local body = "<MobileClient><Version>6.2.1.0</Version><DeviceInfo>Galaxy Tab S8 Android 14</DeviceInfo>"
    .. "<OrganizationId>" .. org .. "</OrganizationId><UserId>" .. guid() .. "</UserId></MobileClient>"
  return wrk.format(nil, nil, nil, body)
end
