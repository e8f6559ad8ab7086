#include "devorg/describe.hpp"

#include <charconv>
#include <string>

namespace pe::devorg {
namespace {

namespace json = boost::json;

// Release names of the API versions (three releases a year, Winter '21 = 50.0).
std::string release_label(int version) {
  static const char* seasons[] = {"Winter", "Spring", "Summer"};
  int index = version - 50;
  int year = 21 + (index + 0) / 3;  // Winter '21, Spring '21, Summer '21, Winter '22, ...
  // Winter comes first in a "year" of releases but is named after the next calendar year.
  return std::string(seasons[index % 3]) + " '" + std::to_string(year);
}

std::string base(std::string_view version) { return "/services/data/v" + std::string(version); }

json::object urls_of(const ObjectSchema& object, std::string_view version) {
  std::string root = base(version) + "/sobjects/" + std::string(object.name);
  return {{"sobject", root}, {"describe", root + "/describe"}, {"rowTemplate", root + "/{ID}"}};
}

json::object global_entry(const ObjectSchema& object, std::string_view version) {
  return {{"activateable", false},
          {"createable", object.createable},
          {"custom", false},
          {"customSetting", false},
          {"deletable", object.deletable},
          {"deprecatedAndHidden", false},
          {"feedEnabled", false},
          {"hasSubtypes", false},
          {"isSubtype", false},
          {"keyPrefix", object.key_prefix},
          {"label", object.label},
          {"labelPlural", object.label_plural},
          {"layoutable", true},
          {"mergeable", false},
          {"mruEnabled", false},
          {"name", object.name},
          {"queryable", object.queryable},
          {"replicateable", true},
          {"retrieveable", true},
          {"searchable", false},
          {"triggerable", true},
          {"undeletable", object.deletable},
          {"updateable", object.updateable},
          {"urls", urls_of(object, version)}};
}

json::object field_describe(const FieldSchema& f) {
  json::array reference_to;
  if (!f.reference_to.empty()) reference_to.emplace_back(f.reference_to);
  json::array picklist;
  for (auto value : f.picklist_values) {
    picklist.push_back(json::object{{"active", true},
                                    {"defaultValue", value == f.default_value},
                                    {"label", value},
                                    {"validFor", nullptr},
                                    {"value", value}});
  }
  bool is_text_type = is_text(f.type);
  return {
      {"aggregatable", f.type != FieldType::textarea},
      {"autoNumber", f.auto_number},
      {"byteLength", is_text_type || f.type == FieldType::id || f.type == FieldType::reference
                         ? f.length * 3
                         : 0},
      {"calculated", false},
      {"caseSensitive", f.case_sensitive},
      {"createable", f.createable && !f.system && !(f.derived && f.name != "Amount")},
      {"custom", f.custom},
      {"defaultValue", f.type == FieldType::boolean ? json::value(f.default_value == "true")
                                                    : json::value(nullptr)},
      {"defaultedOnCreate", f.defaulted_on_create || f.system},
      {"dependentPicklist", false},
      {"deprecatedAndHidden", false},
      {"digits", f.type == FieldType::int_ ? f.precision : 0},
      {"externalId", f.external_id},
      {"filterable", f.filterable},
      {"groupable", f.type != FieldType::textarea && !is_decimal(f.type)},
      {"htmlFormatted", false},
      {"idLookup", f.type == FieldType::id || f.external_id},
      {"label", f.label},
      {"length",
       is_text_type || f.type == FieldType::id || f.type == FieldType::reference ? f.length : 0},
      {"name", f.name},
      {"nameField", f.name_field},
      {"namePointing", false},
      {"nillable", f.nillable},
      {"permissionable", f.nillable && !f.system},
      {"picklistValues", std::move(picklist)},
      {"precision", is_decimal(f.type) ? f.precision : 0},
      {"referenceTo", std::move(reference_to)},
      {"relationshipName",
       f.relationship_name.empty() ? json::value(nullptr) : json::value(f.relationship_name)},
      {"restrictedPicklist", f.restricted_picklist},
      {"scale", is_decimal(f.type) ? f.scale : 0},
      {"soapType", soap_type(f.type)},
      {"sortable", f.sortable},
      {"type", type_name(f.type)},
      {"unique", f.unique},
      {"updateable", f.updateable && !f.system && !(f.derived && f.name != "Amount")}};
}

}  // namespace

bool is_served_version(std::string_view version) {
  // "NN.0"
  if (version.size() != 4 || version.substr(2) != ".0") return false;
  int major = 0;
  auto [end, ec] = std::from_chars(version.data(), version.data() + 2, major);
  return ec == std::errc() && end == version.data() + 2 && major >= kOldestApiVersion &&
         major <= kLatestApiVersion;
}

json::array versions() {
  json::array out;
  for (int v = kOldestApiVersion; v <= kLatestApiVersion; ++v) {
    std::string version = std::to_string(v) + ".0";
    out.push_back(
        json::object{{"label", release_label(v)}, {"url", base(version)}, {"version", version}});
  }
  return out;
}

json::object resources(std::string_view version) {
  std::string root = base(version);
  return {{"sobjects", root + "/sobjects"}, {"query", root + "/query"},
          {"queryAll", root + "/queryAll"}, {"composite", root + "/composite"},
          {"jobs", root + "/jobs"},         {"limits", root + "/limits"}};
}

json::object describe_global(std::string_view version) {
  json::array sobjects;
  for (const auto& object : all_objects()) sobjects.push_back(global_entry(object, version));
  return {{"encoding", "UTF-8"}, {"maxBatchSize", 200}, {"sobjects", std::move(sobjects)}};
}

json::object object_info(const ObjectSchema& object, std::string_view version) {
  return {{"objectDescribe", global_entry(object, version)}, {"recentItems", json::array()}};
}

json::object describe_object(const ObjectSchema& object, std::string_view version,
                             const HiddenFields& hidden) {
  json::object out = global_entry(object, version);
  json::array fields;
  for (const auto& f : object.fields) {
    if (!hidden.contains(&f)) fields.push_back(field_describe(f));
  }
  json::array children;
  for (const auto& c : object.child_relationships) {
    children.push_back(json::object{{"cascadeDelete", c.cascade_delete},
                                    {"childSObject", c.child_object},
                                    {"deprecatedAndHidden", false},
                                    {"field", c.field},
                                    {"junctionIdListNames", json::array()},
                                    {"junctionReferenceTo", json::array()},
                                    {"relationshipName", c.name},
                                    {"restrictedDelete", false}});
  }
  out["fields"] = std::move(fields);
  out["childRelationships"] = std::move(children);
  out["recordTypeInfos"] = json::array();
  out["supportedScopes"] = json::array();
  out["actionOverrides"] = json::array();
  out["namedLayoutInfos"] = json::array();
  out["networkScopeFieldName"] = nullptr;
  out["sobjectDescribeOption"] = "FULL";
  return out;
}

}  // namespace pe::devorg
