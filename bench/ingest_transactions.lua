-- ingest_transactions.lua: each wrk connection sends transactions of 50 change events, each
-- event with a new Opportunity Id (15 characters, so no checksum to compute): every 50th event of
-- a connection starts a new transaction, which flushes the previous ones into jobs.
local template = [[{"specversion":"1.0","id":"%s","source":"","type":"","subject":"/data/OpportunityChangeEvent","datacontenttype":"application/json","data":{"ChangeEventHeader":{"changeOrigin":"com/salesforce/api/soap/62.0;client=SfdcInternalAPI/","changeType":"UPDATE","changedFields":["0x01000080"],"commitNumber":1736877279422521345,"commitTimestamp":1736877277000,"commitUser":"005am000004KT8PAAW","diffFields":[],"entityName":"Opportunity","nulledFields":[],"recordIds":["006%012d"],"sequenceNumber":%d,"transactionKey":"%s"}}}]]
local headers = {
  ["Content-Type"] = "application/cloudevents+json",
  ["Authorization"] = "Bearer " .. (os.getenv("PRICING_WEBHOOK_TOKEN") or ""),
}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
function request()
  n = n + 1
  local tx = string.format("bench-%d-%d", tid, math.floor(n / 50))
  local body = string.format(template, tid .. "-" .. n, tid * 100000000 + n, n % 50 + 1, tx)
  return wrk.format("POST", nil, headers, body)
end
