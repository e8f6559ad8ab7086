// opportunity_schema.hpp: an OpportunityChangeEvent writer schema as the Pub/Sub API's
// GetSchema returns one, for tests, benchmarks and the local org.
//
// The header is the standard ChangeEventHeader (12 fields in the CDC documentation's order,
// changeType an enum; reference/pubsub.md section 2); the body has nullable fields of an
// Opportunity (strings, a double, epoch-millisecond longs, a boolean) and one compound field,
// ShippingAddress__c (["null", Address]), so that nested field bitmaps ("9-0x06") are exercised.
// A real org's schema differs (its own fields): the decoder never assumes this one.
//
//   auto schema = avro::Schema::parse(pubsub::opportunity_change_event_schema());
#pragma once

#include <string_view>

namespace pe::pubsub {

// Field indexes: 0 ChangeEventHeader, 1 Name, 2 StageName, 3 Amount, 4 LastModifiedDate,
// 5 CloseDate, 6 AccountId, 7 Probability, 8 IsClosed, 9 ShippingAddress__c, 10 OwnerId,
// 11 Description, 12 CreatedDate, 13 CreatedById, 14 LastModifiedById, 15 ForecastCategory,
// 16 External_ID__c.
std::string_view opportunity_change_event_schema();

}  // namespace pe::pubsub
