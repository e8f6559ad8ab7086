// bitmap_fields.hpp: the Pub/Sub API's field bitmaps (changedFields, nulledFields, diffFields of
// a ChangeEventHeader) turned into field names against the event's writer schema, and back.
//
// Pub/Sub sends these lists as bitmaps over the schema's field positions, not as names
// (reference/pubsub.md section 2, salesforce-facts.md section 5):
//   "0x650004E0"  the hex is one big-endian integer; bit i (from the least significant) set
//                 means top-level field i of the schema (ChangeEventHeader is field 0);
//   "4-0x10"      the same over the nested record of compound field 4 (its union
//                 ["null", record] unwrapped): names come out as "Parent.Child".
// Every entry is read wherever it stands in the list (the Java, Python and Node samples read
// dash entries only when the last element has a dash; we do not copy that). A compound field
// whose nested bits are all set is listed child by child ("BillingAddress.City", ...), as the
// Python and Node clients do, not by the parent name as the Java sample does. Names come out
// top-level entries first, in field order, then each dash entry's children in field order.
//
//   auto names = pubsub::expand_bitmap_fields(schema, {"0x14"});   // {"StageName",
//   "LastModifiedDate"} auto bits = pubsub::bitmap_fields_from_names(schema, *names);   // {"0x14"}
#pragma once

#include "common/error.hpp"
#include "pubsub/avro_schema.hpp"

#include <span>
#include <string>
#include <vector>

namespace pe::pubsub {

// invalid_argument, naming the entry, for: malformed hex ("0x", "0xZZ", over 1,024 digits), a
// bit beyond the record's fields, a parent index that is not a decimal field index, a parent
// that is not a record (or a union holding exactly one record), a repeated parent, and more
// than one top-level bitmap. The schema's root must be a record.
Result<std::vector<std::string>> expand_bitmap_fields(const avro::Schema& writer,
                                                      std::span<const std::string> entries);

// The inverse, for a publisher (the local org): names ("StageName", "Address__c.City__s")
// to the list Salesforce sends: the top-level bitmap first (always present when `names` is not
// empty), then one "P-0x.." per compound parent in field order. Hex is upper case, whole bytes
// ("0x06"). invalid_argument for an unknown name or a child of a field that is not compound.
Result<std::vector<std::string>> bitmap_fields_from_names(const avro::Schema& writer,
                                                          std::span<const std::string> names);

}  // namespace pe::pubsub
