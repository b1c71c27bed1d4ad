-- wrk script for Benchmarks/sso.sh: the same URL for every request, with the Cookie header taken in
-- turn from a file of cookie lines (one signed-in browser session each), so concurrent requests
-- belong to different sessions (SimpleSAMLphp locks its PHP session file for a whole request).
--   wrk ... -s cookies.lua URL -- COOKIES-FILE
function init(args)
  cookies = {}
  for line in io.lines(args[1]) do cookies[#cookies + 1] = line end
  n = 0
end

function request()
  n = n % #cookies + 1
  return wrk.format(nil, nil, { ["Cookie"] = cookies[n] })
end
