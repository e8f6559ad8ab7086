// The catalogue of sObjects: what each object and field is. Lookups and the SQLite DDL built
// from it are in schema.cpp. Lengths, precisions, picklist values and flags follow Salesforce's
// standard objects (describe) for the fields our patterns use; see src/devorg/README.md for the
// derived fields and how storage computes them.
#include "devorg/schema_catalogue.hpp"

#include <utility>

namespace pe::devorg::detail {
namespace {

// "BillingCountry" → "Billing Country", "AccountId" → "Account ID", "GenerationKey__c" →
// "Generation Key".
std::string default_label(std::string_view name) {
  if (name.ends_with("__c")) name.remove_suffix(3);
  std::string label;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool upper = c >= 'A' && c <= 'Z';
    bool prev_lower = i > 0 && name[i - 1] >= 'a' && name[i - 1] <= 'z';
    if (upper && prev_lower) label += ' ';
    label += c;
  }
  if (label.ends_with(" Id")) label.replace(label.size() - 2, 2, "ID");
  return label;
}

class Field {
 public:
  Field(std::string_view name, FieldType type) {
    f_.name = name;
    f_.type = type;
    f_.label = default_label(name);
    f_.custom = name.ends_with("__c");
  }
  Field& label(std::string label) {
    f_.label = std::move(label);
    return *this;
  }
  Field& length(int n) {
    f_.length = n;
    return *this;
  }
  Field& number(int precision, int scale) {
    f_.precision = precision;
    f_.scale = scale;
    return *this;
  }
  // Not nillable: an insert must set it unless it is defaulted.
  Field& required() {
    f_.nillable = false;
    return *this;
  }
  Field& defaulted() {
    f_.defaulted_on_create = true;
    return *this;
  }
  Field& default_value(std::string_view value) {
    f_.default_value = value;
    f_.defaulted_on_create = true;
    return *this;
  }
  // Computed by the org; callers can neither set nor change it.
  Field& derived() {
    f_.derived = true;
    f_.createable = false;
    f_.updateable = false;
    f_.defaulted_on_create = true;
    return *this;
  }
  // Settable, but overwritten by the org when it can compute the value (Opportunity.Amount
  // while the opportunity has line items).
  Field& computed_by_org() {
    f_.derived = true;
    return *this;
  }
  // Set on insert only (the parent of a detail record, the product of a line).
  Field& create_only() {
    f_.updateable = false;
    return *this;
  }
  Field& reference(std::string_view to, std::string_view relationship,
                   std::string_view child_relationship = {}, bool cascade_delete = false) {
    f_.reference_to = to;
    f_.relationship_name = relationship;
    f_.child_relationship = child_relationship;
    f_.cascade_delete = cascade_delete;
    return *this;
  }
  Field& picklist(std::vector<std::string_view> values, bool restricted = false) {
    f_.picklist_values = std::move(values);
    f_.restricted_picklist = restricted;
    return *this;
  }
  Field& unique_external_id() {
    f_.unique = true;
    f_.external_id = true;
    return *this;
  }
  Field& unique() {
    f_.unique = true;
    return *this;
  }
  // Values that differ only in case are different keys (stored with SQLite's binary collation).
  Field& case_sensitive() {
    f_.case_sensitive = true;
    return *this;
  }
  Field& name_field() {
    f_.name_field = true;
    return *this;
  }
  Field& auto_number() {
    f_.auto_number = true;
    return derived();
  }
  FieldSchema build() && {
    if (f_.type == FieldType::boolean) {
      // Booleans are never null in Salesforce: false unless defaulted otherwise.
      f_.nillable = false;
      f_.defaulted_on_create = true;
      if (f_.default_value.empty()) f_.default_value = "false";
    }
    if (f_.type == FieldType::textarea && f_.length > 255) {
      f_.filterable = false;  // long text areas cannot be filtered or sorted
      f_.sortable = false;
    }
    return std::move(f_);
  }

 private:
  FieldSchema f_;
};

Field text(std::string_view name, int length) {
  return std::move(Field(name, FieldType::string).length(length));
}
Field textarea(std::string_view name, int length) {
  return std::move(Field(name, FieldType::textarea).length(length));
}
Field picklist(std::string_view name, std::vector<std::string_view> values, bool restricted) {
  return std::move(
      Field(name, FieldType::picklist).length(255).picklist(std::move(values), restricted));
}
Field boolean(std::string_view name) { return Field(name, FieldType::boolean); }
Field currency(std::string_view name, int scale = 2) {
  return std::move(Field(name, FieldType::currency).number(18, scale));
}
Field percent(std::string_view name, int precision, int scale) {
  return std::move(Field(name, FieldType::percent).number(precision, scale));
}
Field number(std::string_view name, int precision, int scale) {
  return std::move(Field(name, FieldType::double_).number(precision, scale));
}
Field integer(std::string_view name, int digits) {
  return std::move(Field(name, FieldType::int_).number(digits, 0));
}
Field date(std::string_view name) { return Field(name, FieldType::date); }
Field reference(std::string_view name, std::string_view to, std::string_view relationship,
                std::string_view child_relationship = {}, bool cascade_delete = false) {
  return std::move(Field(name, FieldType::reference)
                       .length(18)
                       .reference(to, relationship, child_relationship, cascade_delete));
}
Field owner() {
  return std::move(reference("OwnerId", "User", "Owner").label("Owner ID").required().defaulted());
}

FieldSchema system_field(Field field) {
  FieldSchema f = std::move(field.required().defaulted()).build();
  f.createable = false;
  f.updateable = false;
  f.system = true;
  return f;
}

struct ObjectSpec {
  std::string_view name;
  std::string_view label;
  std::string_view label_plural;
  std::string_view key_prefix;
  bool soft_delete = true;  // has IsDeleted and can be deleted
  bool writable = true;     // createable and updateable through the API
};

// Id first, then the object's own fields, then the audit fields every object has.
ObjectSchema make_object(const ObjectSpec& spec, std::vector<Field> own) {
  ObjectSchema o;
  o.name = spec.name;
  o.label = spec.label;
  o.label_plural = spec.label_plural;
  o.key_prefix = spec.key_prefix;
  o.createable = o.updateable = spec.writable;
  o.deletable = spec.writable && spec.soft_delete;
  o.fields.push_back(system_field(
      std::move(Field("Id", FieldType::id).label(std::string(spec.label) + " ID").length(18))));
  o.fields.back().unique = true;
  for (auto& f : own) o.fields.push_back(std::move(f).build());
  if (spec.soft_delete) o.fields.push_back(system_field(boolean("IsDeleted").label("Deleted")));
  o.fields.push_back(
      system_field(std::move(Field("CreatedDate", FieldType::datetime).label("Created Date"))));
  o.fields.push_back(system_field(reference("CreatedById", "User", "CreatedBy")));
  o.fields.push_back(system_field(
      std::move(Field("LastModifiedDate", FieldType::datetime).label("Last Modified Date"))));
  o.fields.push_back(system_field(reference("LastModifiedById", "User", "LastModifiedBy")));
  o.fields.push_back(system_field(
      std::move(Field("SystemModstamp", FieldType::datetime).label("System Modstamp"))));
  return o;
}

std::vector<std::string_view> industries() {
  return {"Agriculture",        "Apparel",        "Banking",      "Biotechnology",
          "Chemicals",          "Communications", "Construction", "Consulting",
          "Education",          "Electronics",    "Energy",       "Engineering",
          "Entertainment",      "Environmental",  "Finance",      "Food & Beverage",
          "Government",         "Healthcare",     "Hospitality",  "Insurance",
          "Machinery",          "Manufacturing",  "Media",        "Not For Profit",
          "Recreation",         "Retail",         "Shipping",     "Technology",
          "Telecommunications", "Transportation", "Utilities",    "Other"};
}

ObjectSchema account() {
  return make_object({"Account", "Account", "Accounts", "001"},
                     {std::move(text("Name", 255).label("Account Name").required().name_field()),
                      std::move(text("AccountNumber", 40).label("Account Number")),
                      std::move(picklist("Type",
                                         {"Prospect", "Customer - Direct", "Customer - Channel",
                                          "Channel Partner / Reseller", "Installation Partner",
                                          "Technology Partner", "Other"},
                                         false)
                                    .label("Account Type")),
                      reference("ParentId", "Account", "Parent", "ChildAccounts"),
                      textarea("BillingStreet", 255),
                      text("BillingCity", 40),
                      text("BillingState", 80),
                      text("BillingPostalCode", 20),
                      text("BillingCountry", 80),
                      textarea("ShippingStreet", 255),
                      text("ShippingCity", 40),
                      text("ShippingState", 80),
                      text("ShippingPostalCode", 20),
                      text("ShippingCountry", 80),
                      std::move(Field("Phone", FieldType::phone).length(40).label("Account Phone")),
                      std::move(Field("Website", FieldType::url).length(255)),
                      picklist("Industry", industries(), false),
                      std::move(currency("AnnualRevenue", 0).label("Annual Revenue")),
                      std::move(integer("NumberOfEmployees", 8).label("Employees")),
                      std::move(textarea("Description", 32000).label("Account Description")),
                      owner()});
}

ObjectSchema contact() {
  return make_object(
      {"Contact", "Contact", "Contacts", "003"},
      {reference("AccountId", "Account", "Account", "Contacts"),
       std::move(text("LastName", 80).label("Last Name").required()),
       std::move(text("FirstName", 40).label("First Name")),
       std::move(text("Name", 121).label("Full Name").derived().name_field()), text("Title", 128),
       std::move(Field("Email", FieldType::email).length(80)),
       std::move(Field("Phone", FieldType::phone).length(40).label("Business Phone")),
       std::move(Field("MobilePhone", FieldType::phone).length(40).label("Mobile Phone")),
       text("MailingCity", 40), text("MailingCountry", 80),
       std::move(textarea("Description", 32000).label("Contact Description")), owner()});
}

ObjectSchema user() {
  return make_object(
      {"User", "User", "Users", "005", /*soft_delete=*/false},
      {std::move(text("Username", 80).required().unique()),
       std::move(text("LastName", 80).label("Last Name").required()),
       std::move(text("FirstName", 40).label("First Name")),
       std::move(text("Name", 121).label("Full Name").derived().name_field()),
       std::move(text("Alias", 8).required()),
       std::move(Field("Email", FieldType::email).length(128).required()),
       std::move(boolean("IsActive").label("Active").default_value("true")), text("Title", 80),
       text("CompanyName", 80),
       std::move(picklist("TimeZoneSidKey",
                          {"GMT", "Europe/London", "Europe/Paris", "America/New_York",
                           "America/Chicago", "America/Los_Angeles", "Asia/Tokyo"},
                          true)
                     .label("Time Zone")
                     .required()),
       std::move(picklist("LocaleSidKey", {"en_US", "en_GB", "fr_FR", "de_DE", "ja_JP"}, true)
                     .label("Locale")
                     .required()),
       std::move(picklist("EmailEncodingKey", {"UTF-8", "ISO-8859-1"}, true)
                     .label("Email Encoding")
                     .required()),
       std::move(picklist("LanguageLocaleKey", {"en_US", "fr", "de", "ja"}, true)
                     .label("Language")
                     .required())});
}

ObjectSchema product2() {
  return make_object(
      {"Product2", "Product", "Products", "01t"},
      {std::move(text("Name", 255).label("Product Name").required().name_field()),
       std::move(text("ProductCode", 255).label("Product Code")),
       std::move(textarea("Description", 4000).label("Product Description")),
       std::move(picklist("Family", {"Hardware", "Software", "Services", "Support"}, false)
                     .label("Product Family")),
       std::move(boolean("IsActive").label("Active"))});
}

ObjectSchema pricebook2() {
  return make_object({"Pricebook2", "Price Book", "Price Books", "01s"},
                     {std::move(text("Name", 255).label("Price Book Name").required().name_field()),
                      std::move(boolean("IsActive").label("Active")),
                      std::move(boolean("IsStandard").label("Is Standard Price Book").derived()),
                      text("Description", 255)});
}

ObjectSchema pricebook_entry() {
  return make_object(
      {"PricebookEntry", "Price Book Entry", "Price Book Entries", "01u"},
      {std::move(text("Name", 255).label("Product Name").derived().name_field()),
       std::move(reference("Pricebook2Id", "Pricebook2", "Pricebook2", "PricebookEntries", true)
                     .label("Price Book ID")
                     .required()
                     .create_only()),
       std::move(reference("Product2Id", "Product2", "Product2", "PricebookEntries", true)
                     .label("Product ID")
                     .required()
                     .create_only()),
       std::move(currency("UnitPrice").label("List Price").required()),
       std::move(boolean("IsActive").label("Active")),
       std::move(boolean("UseStandardPrice").label("Use Standard Price")),
       std::move(text("ProductCode", 255).label("Product Code").derived())});
}

// The mark of the product's sample-data jobs ("pe-sample:<jobId>:<n>"): what data delete removes.
Field sample_key() {
  return std::move(
      text("SampleKey__c", 80).label("Sample Key").unique_external_id().case_sensitive());
}

ObjectSchema opportunity() {
  return make_object(
      {"Opportunity", "Opportunity", "Opportunities", "006"},
      {std::move(text("Name", 120).label("Name").required().name_field()),
       reference("AccountId", "Account", "Account", "Opportunities"),
       std::move(picklist("StageName",
                          {"Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
                           "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
                           "Negotiation/Review", "Closed Won", "Closed Lost"},
                          true)
                     .label("Stage")
                     .required()),
       std::move(date("CloseDate").label("Close Date").required()),
       // Editable, but computed from the line items while the opportunity has any.
       std::move(currency("Amount").computed_by_org()),
       std::move(percent("Probability", 3, 0).label("Probability (%)").defaulted()),
       std::move(picklist("Type",
                          {"Existing Customer - Upgrade", "Existing Customer - Replacement",
                           "Existing Customer - Downgrade", "New Customer"},
                          false)
                     .label("Opportunity Type")),
       text("NextStep", 255), textarea("Description", 32000),
       std::move(reference("Pricebook2Id", "Pricebook2", "Pricebook2", "Opportunities")
                     .label("Price Book ID")),
       std::move(boolean("IsClosed").label("Closed").derived()),
       std::move(boolean("IsWon").label("Won").derived()),
       std::move(boolean("HasOpportunityLineItem").label("Has Line Item").derived()),
       std::move(number("TotalOpportunityQuantity", 18, 2).label("Quantity").derived()), owner(),
       sample_key()});
}

// Fields OpportunityLineItem and QuoteLineItem share: product, quantity and price.
std::vector<Field> line_fields() {
  std::vector<Field> f;
  f.push_back(std::move(reference("PricebookEntryId", "PricebookEntry", "PricebookEntry")
                            .label("Price Book Entry ID")
                            .required()
                            .create_only()));
  f.push_back(std::move(reference("Product2Id", "Product2", "Product2")
                            .label("Product ID")
                            .create_only()
                            .defaulted()));
  f.push_back(std::move(number("Quantity", 12, 2).required()));
  f.push_back(std::move(currency("UnitPrice").label("Sales Price").required()));
  f.push_back(std::move(currency("ListPrice").label("List Price").derived()));
  f.push_back(std::move(currency("Subtotal").derived()));
  f.push_back(std::move(currency("TotalPrice").label("Total Price").derived()));
  f.push_back(percent("Discount", 5, 2));
  f.push_back(std::move(text("Description", 255).label("Line Description")));
  f.push_back(std::move(date("ServiceDate").label("Date")));
  return f;
}

ObjectSchema opportunity_line_item() {
  std::vector<Field> f;
  f.push_back(std::move(
      reference("OpportunityId", "Opportunity", "Opportunity", "OpportunityLineItems", true)
          .required()
          .create_only()));
  f.push_back(
      std::move(text("Name", 376).label("Opportunity Product Name").derived().name_field()));
  for (auto& line : line_fields()) f.push_back(std::move(line));
  f.push_back(std::move(percent("DiscountOverride__c", 5, 2).label("Discount Override")));
  f.push_back(sample_key());
  return make_object({"OpportunityLineItem", "Opportunity Product", "Opportunity Product", "00k"},
                     std::move(f));
}

ObjectSchema quote() {
  return make_object(
      {"Quote", "Quote", "Quotes", "0Q0"},
      {std::move(text("Name", 255).label("Quote Name").required().name_field()),
       std::move(reference("OpportunityId", "Opportunity", "Opportunity", "Quotes", true)
                     .required()
                     .create_only()),
       std::move(reference("AccountId", "Account", "Account", "Quotes").derived()),
       reference("ContactId", "Contact", "Contact"),
       std::move(
           reference("Pricebook2Id", "Pricebook2", "Pricebook2", "Quotes").label("Price Book ID")),
       std::move(text("QuoteNumber", 30).label("Quote Number").auto_number()),
       std::move(date("ExpirationDate").label("Expiration Date")),
       std::move(picklist("Status",
                          {"Draft", "Needs Review", "In Review", "Approved", "Rejected",
                           "Presented", "Accepted", "Denied"},
                          true)
                     .default_value("Draft")),
       textarea("Description", 32000),
       std::move(Field("Email", FieldType::email).length(80)),
       std::move(Field("Phone", FieldType::phone).length(40)),
       currency("Tax"),
       std::move(currency("ShippingHandling").label("Shipping and Handling")),
       std::move(currency("Subtotal").derived()),
       std::move(percent("Discount", 5, 2).derived()),
       std::move(currency("TotalPrice").label("Total Price").derived()),
       std::move(currency("GrandTotal").label("Grand Total").derived()),
       std::move(integer("LineItemCount", 9).label("Line Items").derived()),
       std::move(boolean("IsSyncing").label("Syncing").derived()),
       std::move(text("GenerationKey__c", 255).label("Generation Key").unique_external_id())});
}

ObjectSchema quote_line_item() {
  std::vector<Field> f;
  f.push_back(std::move(
      reference("QuoteId", "Quote", "Quote", "QuoteLineItems", true).required().create_only()));
  f.push_back(std::move(text("LineNumber", 255).label("Line Item Number").auto_number()));
  for (auto& line : line_fields()) f.push_back(std::move(line));
  f.push_back(
      std::move(text("GenerationKey__c", 255).label("Generation Key").unique_external_id()));
  return make_object({"QuoteLineItem", "Quote Line Item", "Quote Line Items", "0QL"}, std::move(f));
}

ObjectSchema organization() {
  return make_object({"Organization", "Organization", "Organizations", "00D", /*soft_delete=*/false,
                      /*writable=*/false},
                     {std::move(text("Name", 80).required().name_field()),
                      std::move(text("OrganizationType", 40).label("Edition")),
                      std::move(text("InstanceName", 5).label("Instance Name")),
                      std::move(boolean("IsSandbox").label("Is Sandbox")),
                      std::move(text("NamespacePrefix", 15).label("Namespace Prefix")),
                      std::move(text("LanguageLocaleKey", 40).label("Language")),
                      std::move(text("TimeZoneSidKey", 40).label("Time Zone")),
                      std::move(text("DefaultLocaleSidKey", 40).label("Locale"))});
}

}  // namespace

std::vector<ObjectSchema> build_catalogue() {
  std::vector<ObjectSchema> objects;
  objects.push_back(account());
  objects.push_back(contact());
  objects.push_back(user());
  objects.push_back(product2());
  objects.push_back(pricebook2());
  objects.push_back(pricebook_entry());
  objects.push_back(opportunity());
  objects.push_back(opportunity_line_item());
  objects.push_back(quote());
  objects.push_back(quote_line_item());
  objects.push_back(organization());
  return objects;
}

}  // namespace pe::devorg::detail
