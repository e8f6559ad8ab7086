#include "devorg/schema.hpp"

#include "common/sfid.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>

namespace pe::devorg {
namespace {

TEST(Schema, FindsObjectsCaseInsensitivelyWithTheirRealKeyPrefixes) {
  struct Case {
    std::string_view name;
    std::string_view prefix;
  };
  for (auto [name, prefix] : std::initializer_list<Case>{{"Account", "001"},
                                                         {"Contact", "003"},
                                                         {"User", "005"},
                                                         {"Opportunity", "006"},
                                                         {"OpportunityLineItem", "00k"},
                                                         {"Pricebook2", "01s"},
                                                         {"Product2", "01t"},
                                                         {"PricebookEntry", "01u"},
                                                         {"Quote", "0Q0"},
                                                         {"QuoteLineItem", "0QL"},
                                                         {"Organization", "00D"}}) {
    const ObjectSchema* o = find_object(name);
    ASSERT_NE(o, nullptr) << name;
    EXPECT_EQ(o->name, name);
    EXPECT_EQ(o->key_prefix, prefix);
    EXPECT_EQ(find_object_by_prefix(prefix), o);
    // The Id module agrees on the prefix.
    EXPECT_EQ(sobject_type_for_prefix(prefix), name);
  }
  EXPECT_EQ(find_object("opportunitylineitem")->name, "OpportunityLineItem");
  EXPECT_EQ(find_object("QUOTE")->name, "Quote");
  EXPECT_EQ(find_object("Foo"), nullptr);
  EXPECT_EQ(find_object(""), nullptr);
  EXPECT_EQ(find_object_by_prefix("00K"), nullptr);  // prefixes are case-sensitive
  EXPECT_EQ(all_objects().size(), 11u);
}

TEST(Schema, FieldLookupIsCaseInsensitiveAndReportsTheCanonicalName) {
  const ObjectSchema& opp = *find_object("Opportunity");
  ASSERT_NE(opp.field("AMOUNT"), nullptr);
  EXPECT_EQ(opp.field("AMOUNT")->name, "Amount");
  EXPECT_EQ(opp.field("stagename")->name, "StageName");
  EXPECT_EQ(opp.field("Bacon__c"), nullptr);
  EXPECT_EQ(opp.field("Account"), nullptr);  // a relationship, not a field
  EXPECT_EQ(opp.relationship("account")->name, "AccountId");
  EXPECT_EQ(opp.relationship("OWNER")->name, "OwnerId");
  EXPECT_EQ(opp.relationship("Pricebook2")->name, "Pricebook2Id");
  EXPECT_EQ(opp.relationship("AccountId"), nullptr);
  EXPECT_EQ(opp.name_field()->name, "Name");
  EXPECT_EQ(find_object("QuoteLineItem")->name_field(), nullptr);
}

TEST(Schema, DescribesTheFieldsThePatternsUse) {
  const ObjectSchema& oli = *find_object("OpportunityLineItem");
  const FieldSchema& total = *oli.field("TotalPrice");
  EXPECT_EQ(total.type, FieldType::currency);
  EXPECT_EQ(type_name(total.type), "currency");
  EXPECT_EQ(soap_type(total.type), "xsd:double");
  EXPECT_TRUE(total.derived);
  EXPECT_FALSE(total.createable);
  EXPECT_FALSE(total.updateable);
  EXPECT_EQ(total.precision, 18);
  EXPECT_EQ(total.scale, 2);

  const FieldSchema& override_ = *oli.field("discountoverride__c");
  EXPECT_EQ(override_.name, "DiscountOverride__c");
  EXPECT_EQ(override_.type, FieldType::percent);
  EXPECT_TRUE(override_.custom);
  EXPECT_EQ(override_.label, "Discount Override");

  const FieldSchema& opp_id = *oli.field("OpportunityId");
  EXPECT_EQ(opp_id.type, FieldType::reference);
  EXPECT_EQ(opp_id.reference_to, "Opportunity");
  EXPECT_EQ(opp_id.relationship_name, "Opportunity");
  EXPECT_TRUE(opp_id.cascade_delete);
  EXPECT_TRUE(opp_id.required_on_create());
  EXPECT_FALSE(opp_id.updateable);
  EXPECT_EQ(opp_id.label, "Opportunity ID");

  for (std::string_view object : {"Quote", "QuoteLineItem"}) {
    const FieldSchema& key = *find_object(object)->field("GenerationKey__c");
    EXPECT_EQ(key.type, FieldType::string) << object;
    EXPECT_EQ(key.length, 255) << object;
    EXPECT_TRUE(key.unique && key.external_id && key.nillable) << object;
  }
  // The sample-data mark: Text(80), unique, case-sensitive external id.
  for (std::string_view object : {"Opportunity", "OpportunityLineItem"}) {
    const FieldSchema& key = *find_object(object)->field("SampleKey__c");
    EXPECT_EQ(key.type, FieldType::string) << object;
    EXPECT_EQ(key.length, 80) << object;
    EXPECT_TRUE(key.unique && key.external_id && key.nillable && key.case_sensitive) << object;
  }

  const FieldSchema& status = *find_object("Quote")->field("Status");
  EXPECT_EQ(status.type, FieldType::picklist);
  EXPECT_TRUE(status.restricted_picklist);
  EXPECT_EQ(status.default_value, "Draft");
  EXPECT_FALSE(status.required_on_create());
  EXPECT_EQ(status.picklist_values,
            (std::vector<std::string_view>{"Draft", "Needs Review", "In Review", "Approved",
                                           "Rejected", "Presented", "Accepted", "Denied"}));

  const ObjectSchema& opp = *find_object("Opportunity");
  EXPECT_EQ(opp.field("CloseDate")->type, FieldType::date);
  EXPECT_EQ(opp.field("StageName")->label, "Stage");
  // Amount can be written, but the org computes it while the opportunity has line items.
  EXPECT_TRUE(opp.field("Amount")->createable);
  EXPECT_TRUE(opp.field("Amount")->derived);
  EXPECT_EQ(find_object("Account")->field("NumberOfEmployees")->type, FieldType::int_);
  EXPECT_EQ(type_name(FieldType::int_), "int");
  EXPECT_EQ(type_name(FieldType::double_), "double");
  EXPECT_EQ(find_object("Account")->field("Website")->type, FieldType::url);
}

TEST(Schema, RequiredFieldsAreTheOnesSalesforceRequiresOnCreate) {
  auto required = [](std::string_view object) {
    std::vector<std::string_view> names;
    for (const auto& f : find_object(object)->fields) {
      if (f.required_on_create()) names.push_back(f.name);
    }
    return names;
  };
  EXPECT_EQ(required("Account"), (std::vector<std::string_view>{"Name"}));
  EXPECT_EQ(required("Contact"), (std::vector<std::string_view>{"LastName"}));
  EXPECT_EQ(required("Opportunity"),
            (std::vector<std::string_view>{"Name", "StageName", "CloseDate"}));
  EXPECT_EQ(required("OpportunityLineItem"),
            (std::vector<std::string_view>{"OpportunityId", "PricebookEntryId", "Quantity",
                                           "UnitPrice"}));
  EXPECT_EQ(required("Quote"), (std::vector<std::string_view>{"Name", "OpportunityId"}));
  EXPECT_EQ(required("QuoteLineItem"), (std::vector<std::string_view>{"QuoteId", "PricebookEntryId",
                                                                      "Quantity", "UnitPrice"}));
  EXPECT_EQ(required("PricebookEntry"),
            (std::vector<std::string_view>{"Pricebook2Id", "Product2Id", "UnitPrice"}));
}

TEST(Schema, EveryObjectHasTheSystemFields) {
  for (const auto& o : all_objects()) {
    EXPECT_EQ(o.fields.front().name, "Id") << o.name;
    EXPECT_EQ(o.fields.front().type, FieldType::id) << o.name;
    for (std::string_view name :
         {"CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp"}) {
      const FieldSchema* f = o.field(name);
      ASSERT_NE(f, nullptr) << o.name << "." << name;
      EXPECT_TRUE(f->system && !f->createable && !f->updateable && !f->nillable)
          << o.name << "." << name;
    }
    // User and Organization cannot be deleted and have no IsDeleted, as in Salesforce.
    bool soft_delete = o.name != "User" && o.name != "Organization";
    EXPECT_EQ(o.has_is_deleted(), soft_delete) << o.name;
    EXPECT_EQ(o.deletable, soft_delete) << o.name;
  }
  EXPECT_EQ(find_object("Account")->field("CreatedById")->relationship_name, "CreatedBy");
  EXPECT_EQ(find_object("Quote")->field("LastModifiedById")->reference_to, "User");
}

TEST(Schema, ReferencesPointAtKnownObjectsAndNamesAreUnique) {
  for (const auto& o : all_objects()) {
    std::set<std::string> names;
    std::set<std::string> relationships;
    for (const auto& f : o.fields) {
      std::string lower(f.name);
      for (auto& c : lower) c = static_cast<char>(std::tolower(c));
      EXPECT_TRUE(names.insert(lower).second) << o.name << "." << f.name << " twice";
      EXPECT_FALSE(f.label.empty()) << o.name << "." << f.name;
      if (f.type != FieldType::reference) continue;
      EXPECT_NE(find_object(f.reference_to), nullptr) << o.name << "." << f.name;
      EXPECT_FALSE(f.relationship_name.empty()) << o.name << "." << f.name;
      EXPECT_TRUE(relationships.insert(std::string(f.relationship_name)).second)
          << o.name << "." << f.relationship_name << " twice";
    }
  }
}

TEST(Schema, ChildRelationshipsAreDerivedFromTheChildrensReferences) {
  auto children = [](std::string_view object) {
    std::vector<std::string> out;
    for (const auto& r : find_object(object)->child_relationships) {
      out.push_back(std::string(r.name) + "=" + std::string(r.child_object) + "." +
                    std::string(r.field));
    }
    return out;
  };
  EXPECT_EQ(
      children("Account"),
      (std::vector<std::string>{"ChildAccounts=Account.ParentId", "Contacts=Contact.AccountId",
                                "Opportunities=Opportunity.AccountId", "Quotes=Quote.AccountId"}));
  EXPECT_EQ(children("Opportunity"),
            (std::vector<std::string>{"OpportunityLineItems=OpportunityLineItem.OpportunityId",
                                      "Quotes=Quote.OpportunityId"}));
  EXPECT_EQ(children("Quote"), (std::vector<std::string>{"QuoteLineItems=QuoteLineItem.QuoteId"}));
  EXPECT_EQ(children("Product2"),
            (std::vector<std::string>{"PricebookEntries=PricebookEntry.Product2Id"}));
  EXPECT_EQ(children("Pricebook2"),
            (std::vector<std::string>{"PricebookEntries=PricebookEntry.Pricebook2Id",
                                      "Opportunities=Opportunity.Pricebook2Id",
                                      "Quotes=Quote.Pricebook2Id"}));
  const ObjectSchema& opp = *find_object("Opportunity");
  EXPECT_EQ(opp.child_relationship("opportunitylineitems")->name, "OpportunityLineItems");
  EXPECT_TRUE(opp.child_relationship("OpportunityLineItems")->cascade_delete);
  EXPECT_EQ(opp.child_relationship("Contacts"), nullptr);
}

TEST(Schema, LongTextAreasCannotBeFilteredOrSorted) {
  const FieldSchema& description = *find_object("Opportunity")->field("Description");
  EXPECT_EQ(description.type, FieldType::textarea);
  EXPECT_FALSE(description.filterable);
  EXPECT_FALSE(description.sortable);
  const FieldSchema& street = *find_object("Account")->field("BillingStreet");
  EXPECT_TRUE(street.filterable);  // a 255-character text area is an ordinary one
}

TEST(Schema, ColumnDefinitionsFollowTheDocumentedLayout) {
  const ObjectSchema& oli = *find_object("OpportunityLineItem");
  EXPECT_EQ(column_definition(*oli.field("Id")), "\"Id\" TEXT NOT NULL PRIMARY KEY");
  EXPECT_EQ(column_definition(*oli.field("OpportunityId")), "\"OpportunityId\" TEXT");
  EXPECT_EQ(column_definition(*oli.field("Description")), "\"Description\" TEXT COLLATE NOCASE");
  EXPECT_EQ(column_definition(*oli.field("UnitPrice")), "\"UnitPrice\" INTEGER");
  EXPECT_EQ(column_definition(*oli.field("Quantity")), "\"Quantity\" INTEGER");
  EXPECT_EQ(column_definition(*oli.field("ServiceDate")), "\"ServiceDate\" TEXT");
  EXPECT_EQ(column_definition(*oli.field("IsDeleted")), "\"IsDeleted\" INTEGER NOT NULL DEFAULT 0");
  EXPECT_EQ(column_definition(*find_object("User")->field("IsActive")),
            "\"IsActive\" INTEGER NOT NULL DEFAULT 1");
}

// The DDL runs in SQLite and creates the tables and indexes the translator's SQL relies on.
TEST(Schema, DdlCreatesEveryTableAndIndexInSqlite) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  char* message = nullptr;
  std::string ddl = schema_sql();
  ASSERT_EQ(sqlite3_exec(db, ddl.c_str(), nullptr, nullptr, &message), SQLITE_OK) << message;
  // Idempotent: the storage layer may run it on every start.
  ASSERT_EQ(sqlite3_exec(db, ddl.c_str(), nullptr, nullptr, &message), SQLITE_OK) << message;

  auto names = [&](const char* type) {
    std::set<std::string> out;
    sqlite3_stmt* stmt = nullptr;
    std::string sql = std::string("SELECT name FROM sqlite_master WHERE type = '") + type +
                      "' AND name NOT LIKE 'sqlite_%'";
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      out.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    return out;
  };
  auto tables = names("table");
  EXPECT_EQ(tables.size(), all_objects().size());
  for (const auto& o : all_objects()) EXPECT_TRUE(tables.contains(std::string(o.name)));
  auto indexes = names("index");
  for (std::string_view index :
       {"OpportunityLineItem_OpportunityId", "QuoteLineItem_QuoteId", "Opportunity_AccountId",
        "Quote_GenerationKey__c", "QuoteLineItem_GenerationKey__c", "User_Username",
        "Opportunity_SampleKey__c", "OpportunityLineItem_SampleKey__c"}) {
    EXPECT_TRUE(indexes.contains(std::string(index))) << index;
  }

  // The unique external id is unique case-insensitively; several rows may leave it null.
  std::string inserts =
      "INSERT INTO Quote (Id, Name, GenerationKey__c) VALUES ('a', 'q1', 'tx-1');"
      "INSERT INTO Quote (Id, Name) VALUES ('b', 'q2');"
      "INSERT INTO Quote (Id, Name) VALUES ('c', 'q3');";
  ASSERT_EQ(sqlite3_exec(db, inserts.c_str(), nullptr, nullptr, &message), SQLITE_OK) << message;
  EXPECT_EQ(
      sqlite3_exec(db, "INSERT INTO Quote (Id, Name, GenerationKey__c) VALUES ('d', 'x', 'TX-1')",
                   nullptr, nullptr, &message),
      SQLITE_CONSTRAINT);
  sqlite3_free(message);
  // The case-sensitive one tells keys apart by case.
  std::string samples =
      "INSERT INTO Opportunity (Id, Name, SampleKey__c) VALUES ('o1', 'a', 'pe-sample:j:1');"
      "INSERT INTO Opportunity (Id, Name, SampleKey__c) VALUES ('o2', 'b', 'PE-SAMPLE:J:1');";
  EXPECT_EQ(sqlite3_exec(db, samples.c_str(), nullptr, nullptr, &message), SQLITE_OK) << message;
  EXPECT_EQ(sqlite3_exec(db,
                         "INSERT INTO Opportunity (Id, Name, SampleKey__c) VALUES ('o3', 'c', "
                         "'pe-sample:j:1')",
                         nullptr, nullptr, &message),
            SQLITE_CONSTRAINT);
  sqlite3_free(message);
  sqlite3_close(db);
}

}  // namespace
}  // namespace pe::devorg
