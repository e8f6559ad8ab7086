// change_event.hpp: Opportunity change events as the webhook receives them — CloudEvents 1.0 in
// structured (`application/cloudevents+json`), binary (`ce-*` headers) or batch
// (`application/cloudevents-batch+json`) mode, carrying a Change Data Capture
// ChangeEventHeader (salesforce-facts.md, sections 5 and 6).
//
// parse_change_events() reads only what the product needs from each event — entityName,
// changeType, recordIds (every one validated as a Salesforce Id, or a key prefix wildcard such as
// "006*", which Salesforce sends when a field-type conversion changed every record of an object:
// kept apart, in wildcard_ids), transactionKey,
// sequenceNumber, changedFields, commitTimestamp — straight from the text, without building a
// JSON document (changeOrigin and the CloudEvent attributes are checked, not kept), and
// tolerates the empty `source` and `type` of real Eventing deliveries. Anything malformed is an
// invalid_argument error naming the event and the field; nothing is half-accepted. Limits: 1,000
// events a batch, 10,000 record Ids an event.
//
//   auto events = parse_change_events("application/cloudevents+json", body, headers);
//   for (const auto& e : *events) if (e.entity == "Opportunity") buffer(e.transaction_key,
//   e.record_ids);
#pragma once

#include "common/error.hpp"
#include "common/sfid.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pe::events {

struct ChangeEvent {
  std::string id;           // the CloudEvent's id
  std::string entity;       // "Opportunity"
  std::string change_type;  // CREATE, UPDATE, DELETE, UNDELETE, GAP_*, GAP_OVERFLOW
  std::vector<SalesforceId> record_ids;
  std::vector<std::string> wildcard_ids;  // "006*": every record with that key prefix
  std::string transaction_key;
  int64_t sequence_number = 0;
  std::vector<std::string> changed_fields;  // names, or Pub/Sub bitmaps ("0x01000080")
  int64_t commit_timestamp = 0;             // epoch ms

  bool is_gap() const { return change_type.starts_with("GAP_"); }
};

struct ParseLimits {
  size_t max_events = 1000;
  size_t max_record_ids = 10'000;
};

// One recordIds element, checked as the webhook reader checks it: a Salesforce Id (appended to
// `ids`) or a key prefix wildcard such as "006*" (appended to `wildcards`); otherwise
// invalid_argument with SalesforceId::parse's message. Shared with the Pub/Sub path
// (pubsub/change_event_payload.hpp), so that both accept exactly the same Ids.
Result<void> add_record_id(std::string_view value, std::vector<SalesforceId>& ids,
                           std::vector<std::string>& wildcards);

// transactionKey must be 1 to this many characters, on both paths.
inline constexpr size_t kMaxTransactionKeySize = 64;

// `header(name)` looks up a request header (case-insensitive) for binary mode; "" when absent.
Result<std::vector<ChangeEvent>> parse_change_events(
    std::string_view content_type, std::string_view body,
    const std::function<std::string_view(std::string_view)>& header, ParseLimits limits = {});

}  // namespace pe::events
