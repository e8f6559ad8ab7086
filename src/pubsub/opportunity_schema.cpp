#include "pubsub/opportunity_schema.hpp"

namespace pe::pubsub {

std::string_view opportunity_change_event_schema() {
  static constexpr std::string_view kSchema = R"({
  "type": "record", "name": "OpportunityChangeEvent", "namespace": "com.sforce.eventbus",
  "fields": [
    {"name": "ChangeEventHeader", "type": {
      "type": "record", "name": "ChangeEventHeader", "fields": [
        {"name": "entityName", "type": "string"},
        {"name": "recordIds", "type": {"type": "array", "items": "string"}},
        {"name": "changeType", "type": {"type": "enum", "name": "ChangeType",
          "symbols": ["CREATE", "UPDATE", "DELETE", "UNDELETE", "GAP_CREATE", "GAP_UPDATE",
                      "GAP_DELETE", "GAP_UNDELETE", "GAP_OVERFLOW", "SNAPSHOT"]}},
        {"name": "changeOrigin", "type": "string"},
        {"name": "transactionKey", "type": "string"},
        {"name": "sequenceNumber", "type": "int"},
        {"name": "commitTimestamp", "type": "long"},
        {"name": "commitNumber", "type": "long"},
        {"name": "commitUser", "type": "string"},
        {"name": "nulledFields", "type": {"type": "array", "items": "string"}},
        {"name": "diffFields", "type": {"type": "array", "items": "string"}},
        {"name": "changedFields", "type": {"type": "array", "items": "string"}}
      ]}, "doc": "Common Change Event Header"},
    {"name": "Name", "type": ["null", "string"], "default": null},
    {"name": "StageName", "type": ["null", "string"], "default": null},
    {"name": "Amount", "type": ["null", "double"], "default": null},
    {"name": "LastModifiedDate", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}], "default": null},
    {"name": "CloseDate", "type": ["null", {"type": "int", "logicalType": "date"}], "default": null},
    {"name": "AccountId", "type": ["null", "string"], "default": null},
    {"name": "Probability", "type": ["null", "double"], "default": null},
    {"name": "IsClosed", "type": ["null", "boolean"], "default": null},
    {"name": "ShippingAddress__c", "type": ["null", {
      "type": "record", "name": "Address", "fields": [
        {"name": "Street", "type": ["null", "string"], "default": null},
        {"name": "City", "type": ["null", "string"], "default": null},
        {"name": "State", "type": ["null", "string"], "default": null},
        {"name": "PostalCode", "type": ["null", "string"], "default": null},
        {"name": "Country", "type": ["null", "string"], "default": null},
        {"name": "StateCode", "type": ["null", "string"], "default": null},
        {"name": "CountryCode", "type": ["null", "string"], "default": null},
        {"name": "Latitude", "type": ["null", "double"], "default": null},
        {"name": "Longitude", "type": ["null", "double"], "default": null},
        {"name": "GeocodeAccuracy", "type": ["null", "string"], "default": null}
      ]}], "default": null},
    {"name": "OwnerId", "type": ["null", "string"], "default": null},
    {"name": "Description", "type": ["null", "string"], "default": null},
    {"name": "CreatedDate", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}], "default": null},
    {"name": "CreatedById", "type": ["null", "string"], "default": null},
    {"name": "LastModifiedById", "type": ["null", "string"], "default": null},
    {"name": "ForecastCategory", "type": ["null", "string"], "default": null},
    {"name": "External_ID__c", "type": ["null", "string"], "default": null}
  ]
})";
  return kSchema;
}

}  // namespace pe::pubsub
