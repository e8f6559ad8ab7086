-- ingest_post.lua: wrk posts the file named by BODY_FILE as a CloudEvent, with the bench token.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/cloudevents+json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("PRICING_WEBHOOK_TOKEN") or "")
local file = assert(io.open(os.getenv("BODY_FILE"), "r"))
wrk.body = file:read("*a")
file:close()
