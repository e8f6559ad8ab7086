#include "devorg/bulk_columns.hpp"

#include <optional>

namespace pe::devorg {

namespace {

ApiError field_not_found(std::string_view header) {
  // The job fails as a whole, as for an unknown plain field. UNCONFIRMED for a bad relationship
  // header: Salesforce's exact wording for that case is not documented; this is the documented
  // unknown-field one.
  return ApiError("InvalidBatch", "InvalidBatch : Field name not found : " + printable(header, 80));
}

}  // namespace

ApiResult<BulkColumns> BulkColumns::plan(const ObjectSchema& object,
                                         const std::vector<std::string>& header,
                                         const HiddenFields& hidden,
                                         std::string_view external_id_field) {
  BulkColumns out;
  for (const auto& name : header) {
    Column column;
    if (auto dot = name.find('.'); dot != std::string::npos) {
      const FieldSchema* reference = hidden.visible_relationship(object, name.substr(0, dot));
      const ObjectSchema* parent = reference ? find_object(reference->reference_to) : nullptr;
      const FieldSchema* key = parent ? hidden.visible(*parent, name.substr(dot + 1)) : nullptr;
      if (!key || !(key->unique || key->external_id) || reference->system) {
        return field_not_found(name);
      }
      column.kind = Column::Kind::parent;
      column.field = std::string(reference->name);
      column.parent = parent;
      column.parent_key = key;
    } else {
      const FieldSchema* field = hidden.visible(object, name);
      if (!field) return field_not_found(name);
      column.field = std::string(field->name);
      if (field->name == "Id") {
        column.kind = Column::Kind::id;
        column.also_key = iequals(external_id_field, "Id");
      } else if (!external_id_field.empty() && iequals(field->name, external_id_field)) {
        column.kind = Column::Kind::external_id;
      }
    }
    out.columns_.push_back(std::move(column));
  }
  return out;
}

ApiResult<void> BulkColumns::read(Store& store, const std::vector<std::string>& cells,
                                  BulkRecord& record) const {
  std::optional<ApiError> failure;
  for (size_t c = 0; c < columns_.size() && c < cells.size(); ++c) {
    const Column& column = columns_[c];
    const std::string& cell = cells[c];
    switch (column.kind) {
      case Column::Kind::id:
        record.id = cell;
        if (column.also_key) record.external_value = cell;
        continue;
      case Column::Kind::external_id:
        record.external_value = cell;
        continue;
      case Column::Kind::parent: {
        if (cell.empty() || failure) continue;
        if (cell == "#N/A") {
          record.fields[column.field] = nullptr;
          continue;
        }
        auto parent = store.find_by_key(*column.parent, *column.parent_key, cell);
        if (!parent) {
          failure = ApiError("INVALID_FIELD",
                             "Foreign key external ID: " + printable(cell, 255) +
                                 " not found for field " + std::string(column.parent_key->name) +
                                 " in entity " + std::string(column.parent->name),
                             400);
          continue;
        }
        record.fields[column.field] = parent->str();
        continue;
      }
      case Column::Kind::field:
        if (cell == "#N/A") {
          record.fields[column.field] = nullptr;
        } else if (!cell.empty()) {
          record.fields[column.field] = cell;
        }
        continue;
    }
  }
  if (failure) return *failure;
  return {};
}

}  // namespace pe::devorg
