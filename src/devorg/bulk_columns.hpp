// bulk_columns.hpp (internal to devorg): what each column of a Bulk API 2.0 ingest CSV means,
// and how one row becomes the fields of one write.
//
// A header cell names one of:
//   - a field of the job's object ("Quantity"), written as the REST API would write it;
//   - "Id": the record an update or delete acts on (and the key of an upsert on Id);
//   - the job's externalIdFieldName (upsert): the key the row is matched on;
//   - a parent by one of its unique fields, "RelationshipName.FieldName" as Salesforce documents
//     it for Bulk API 2.0 ("Relationship Fields in a Header Row"): "Quote.GenerationKey__c" on
//     QuoteLineItem sets the reference field whose relationshipName is Quote (QuoteId) to the Id
//     of the live Quote whose GenerationKey__c is the cell's value; "Opportunity.SampleKey__c" on
//     OpportunityLineItem likewise. The parent field must be an external id or unique (Salesforce:
//     "an indexed field that uniquely identifies the parent record"). Child-to-parent only, one
//     level; the polymorphic "Type:Rel.Field" form is not supported.
//
// A header the session may not see (field-level security) or that names none of these fails the
// whole job before any row is written ("InvalidBatch : Field name not found : X"), as an unknown
// field does in Salesforce. A relationship value that matches no live parent fails only its row,
// with Salesforce's wording: INVALID_FIELD "Foreign key external ID: k1 not found for field
// GenerationKey__c in entity Quote".
//
// Cells: empty leaves the field out (unset on insert, unchanged on update); "#N/A" sets it null.
//
//   auto columns = BulkColumns::plan(*find_object("QuoteLineItem"), table.header, hidden,
//                                    "GenerationKey__c");
//   BulkRecord record;
//   auto ok = columns->read(store, table.rows[0], record);
//   // record.fields: {"QuoteId": "0Q0...", "Quantity": "2", ...}; record.external_value: "k1"
#pragma once

#include "devorg/api_error.hpp"
#include "devorg/schema.hpp"
#include "devorg/store.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pe::devorg {

// One row, ready for Store::create/update/upsert/remove.
struct BulkRecord {
  boost::json::object fields;  // by canonical field name; the Id and upsert key are not in it
  std::string id;              // the Id column's cell
  std::string external_value;  // the upsert key's cell
};

class BulkColumns {
 public:
  // `external_id_field` is the upsert job's externalIdFieldName (empty for other operations).
  static ApiResult<BulkColumns> plan(const ObjectSchema& object,
                                     const std::vector<std::string>& header,
                                     const HiddenFields& hidden,
                                     std::string_view external_id_field);

  // Fills `record` from one row, resolving relationship cells through `store` (one indexed
  // lookup each). On a failure `record.id` is still set, for the failed row's sf__Id.
  ApiResult<void> read(Store& store, const std::vector<std::string>& cells,
                       BulkRecord& record) const;

 private:
  struct Column {
    enum class Kind { field, id, external_id, parent } kind = Kind::field;
    std::string field;                        // the field written: "Quantity", or "QuoteId"
    const ObjectSchema* parent = nullptr;     // parent: the referenced object (Quote)
    const FieldSchema* parent_key = nullptr;  // parent: its unique field (GenerationKey__c)
    bool also_key = false;  // id: the upsert is on Id, so the cell is also the key
  };
  std::vector<Column> columns_;
};

}  // namespace pe::devorg
