// The sfdx project in src-org/: every file is well-formed XML in the Metadata API namespace, and
// each piece the product relies on says what it must (the platform event and its field, the
// Flow that turns it into a notification, the CDC channel member, the custom fields, the
// permission set). `sf project deploy start` is the real check; this one runs without an org.
#include <expat.h>
#include <gtest/gtest.h>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using boost::property_tree::ptree;

const fs::path kMetadata = fs::path(PE_SOURCE_DIR) / "src-org/main/default";

// Expat's verdict on a file: empty when it is well-formed XML, else the error and its line.
// (Boost.PropertyTree's parser, used below for the content, does not check closing tags.)
std::string well_formedness_error(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string xml = text.str();
  std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreate(nullptr),
                                                                      &XML_ParserFree);
  if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE) ==
      XML_STATUS_OK) {
    return "";
  }
  return std::string(XML_ErrorString(XML_GetErrorCode(parser.get()))) + " at line " +
         std::to_string(XML_GetCurrentLineNumber(parser.get()));
}

// Parses a metadata file; fails the test (and returns an empty tree) when it is not well formed.
ptree read_metadata(const fs::path& relative, const std::string& root) {
  ptree doc;
  try {
    boost::property_tree::read_xml((kMetadata / relative).string(), doc,
                                   boost::property_tree::xml_parser::no_comments);
  } catch (const boost::property_tree::xml_parser_error& e) {
    ADD_FAILURE() << relative << ": " << e.what();
    return {};
  }
  auto node = doc.get_child_optional(root);
  if (!node) {
    ADD_FAILURE() << relative << ": the root element is not <" << root << ">";
    return {};
  }
  EXPECT_EQ(node->get<std::string>("<xmlattr>.xmlns", ""),
            "http://soap.sforce.com/2006/04/metadata")
      << relative;
  return *node;
}

TEST(SfdxMetadata, EveryFileIsWellFormedXmlInTheMetadataNamespace) {
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kMetadata)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".xml") continue;
    ++files;
    EXPECT_EQ(well_formedness_error(entry.path()), "") << entry.path();
    ptree doc;
    ASSERT_NO_THROW(boost::property_tree::read_xml(entry.path().string(), doc,
                                                   boost::property_tree::xml_parser::no_comments))
        << entry.path();
    ASSERT_EQ(doc.size(), 1u) << entry.path() << ": one root element";
    EXPECT_EQ(doc.front().second.get<std::string>("<xmlattr>.xmlns", ""),
              "http://soap.sforce.com/2006/04/metadata")
        << entry.path();
  }
  EXPECT_EQ(files, 9);
}

TEST(SfdxMetadata, TheCheckCatchesMismatchedTags) {
  auto file = fs::temp_directory_path() / "pe_sfdx_metadata_test.xml";
  std::ofstream(file) << "<a><b>x</c></a>";
  EXPECT_EQ(well_formedness_error(file), "mismatched tag at line 1");
  fs::remove(file);
}

TEST(SfdxMetadata, ProjectPointsAtSrcOrg) {
  ASSERT_TRUE(fs::exists(fs::path(PE_SOURCE_DIR) / "sfdx-project.json"));
}

TEST(SfdxMetadata, PlatformEventIsHighVolumeWithAStatusField) {
  auto event =
      read_metadata("objects/QuoteGenerationComplete__e/QuoteGenerationComplete__e.object-meta.xml",
                    "CustomObject");
  EXPECT_EQ(event.get<std::string>("eventType", ""), "HighVolume");
  EXPECT_EQ(event.get<std::string>("publishBehavior", ""), "PublishAfterCommit");
  EXPECT_EQ(event.get<std::string>("deploymentStatus", ""), "Deployed");

  auto status = read_metadata("objects/QuoteGenerationComplete__e/fields/Status__c.field-meta.xml",
                              "CustomField");
  EXPECT_EQ(status.get<std::string>("fullName", ""), "Status__c");
  EXPECT_EQ(status.get<std::string>("type", ""), "Text");
  EXPECT_EQ(status.get<int>("length", 0), 255);
}

TEST(SfdxMetadata, FlowTurnsTheEventIntoACustomNotification) {
  auto flow = read_metadata("flows/QuoteGenerationComplete.flow-meta.xml", "Flow");
  EXPECT_EQ(flow.get<std::string>("start.triggerType", ""), "PlatformEvent");
  EXPECT_EQ(flow.get<std::string>("start.object", ""), "QuoteGenerationComplete__e");
  EXPECT_EQ(flow.get<std::string>("status", ""), "Active");
  EXPECT_EQ(flow.get<std::string>("processType", ""), "AutoLaunchedFlow");

  // Every connector leads to an element that exists, and the chain ends in the notification.
  std::set<std::string> names;
  for (const auto& [tag, element] : flow) {
    if (auto name = element.get_optional<std::string>("name")) names.insert(*name);
  }
  std::string next = flow.get<std::string>("start.connector.targetReference", "");
  std::string last;
  for (int steps = 0; !next.empty() && steps < 10; ++steps) {
    ASSERT_TRUE(names.count(next)) << "connector to a missing element " << next;
    last = next;
    next.clear();
    for (const auto& [tag, element] : flow) {
      if (element.get<std::string>("name", "") == last) {
        next = element.get<std::string>("connector.targetReference", "");
      }
    }
  }
  EXPECT_EQ(last, "Send_Notification");

  bool found_action = false;
  std::set<std::string> inputs;
  for (const auto& [tag, element] : flow) {
    if (tag != "actionCalls") continue;
    found_action = true;
    EXPECT_EQ(element.get<std::string>("actionType", ""), "customNotificationAction");
    for (const auto& [param_tag, param] : element) {
      if (param_tag == "inputParameters") inputs.insert(param.get<std::string>("name", ""));
    }
    EXPECT_EQ(element.get<std::string>("name", ""), "Send_Notification");
  }
  EXPECT_TRUE(found_action);
  EXPECT_EQ(inputs, (std::set<std::string>{"customNotifTypeId", "recipientIds", "title", "body",
                                           "targetId"}));

  // The notification type the Flow looks up by name exists.
  auto type = read_metadata("notificationtypes/QuoteGenerationComplete.notiftype-meta.xml",
                            "CustomNotificationType");
  EXPECT_EQ(type.get<std::string>("customNotifTypeName", ""), "QuoteGenerationComplete");
  EXPECT_EQ(type.get<std::string>("desktop", ""), "true");
}

TEST(SfdxMetadata, ChangeDataCaptureIsOnForOpportunity) {
  auto member = read_metadata(
      "platformEventChannelMembers/"
      "ChangeEvents_OpportunityChangeEvent.platformEventChannelMember-meta.xml",
      "PlatformEventChannelMember");
  EXPECT_EQ(member.get<std::string>("eventChannel", ""), "ChangeEvents");
  EXPECT_EQ(member.get<std::string>("selectedEntity", ""), "OpportunityChangeEvent");
}

TEST(SfdxMetadata, GenerationKeysAreUniqueExternalIds) {
  for (std::string object : {"Quote", "QuoteLineItem"}) {
    auto field = read_metadata("objects/" + object + "/fields/GenerationKey__c.field-meta.xml",
                               "CustomField");
    EXPECT_EQ(field.get<std::string>("fullName", ""), "GenerationKey__c") << object;
    EXPECT_EQ(field.get<std::string>("externalId", ""), "true") << object;
    EXPECT_EQ(field.get<std::string>("unique", ""), "true") << object;
    EXPECT_EQ(field.get<std::string>("type", ""), "Text") << object;
    // The same length as the local org's schema (src/devorg/schema_objects.cpp).
    EXPECT_EQ(field.get<int>("length", 0), 255) << object;
  }
}

TEST(SfdxMetadata, DiscountOverrideIsAPercent) {
  auto field = read_metadata(
      "objects/OpportunityLineItem/fields/DiscountOverride__c.field-meta.xml", "CustomField");
  EXPECT_EQ(field.get<std::string>("fullName", ""), "DiscountOverride__c");
  EXPECT_EQ(field.get<std::string>("type", ""), "Percent");
  EXPECT_EQ(field.get<int>("precision", 0), 5);
  EXPECT_EQ(field.get<int>("scale", -1), 2);
}

TEST(SfdxMetadata, PermissionSetCoversWhatTheWorkerWrites) {
  auto set = read_metadata("permissionsets/PricingEngine.permissionset-meta.xml", "PermissionSet");
  std::set<std::string> creatable;
  std::set<std::string> editable_fields;
  for (const auto& [tag, element] : set) {
    if (tag == "objectPermissions" && element.get<std::string>("allowCreate", "") == "true") {
      creatable.insert(element.get<std::string>("object", ""));
    }
    if (tag == "fieldPermissions" && element.get<std::string>("editable", "") == "true") {
      editable_fields.insert(element.get<std::string>("field", ""));
    }
  }
  EXPECT_EQ(creatable, (std::set<std::string>{"Quote", "QuoteGenerationComplete__e"}));
  EXPECT_EQ(editable_fields,
            (std::set<std::string>{"Quote.GenerationKey__c", "QuoteLineItem.GenerationKey__c"}));
}

}  // namespace
