// The sfdx project in src-org/: every file is well-formed XML in the Metadata API namespace, and
// each piece the product relies on says what it must (the platform event and its field, the
// Flow that turns it into a notification, the CDC channel member, the custom fields, the
// permission set; for the org actions, the session permission set and the Flow that calls one).
// `sf project deploy start` is the real check; this one runs without an org. That the org
// actions' names agree with api-docs.yaml and the README is tests/conformance/org_action_names.mjs.
#include <expat.h>
#include <gtest/gtest.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using boost::property_tree::ptree;

// The two package directories of sfdx-project.json: what eventing needs, deployable on its own,
// and the org actions, which refer to what `heroku salesforce:publish` generates.
const fs::path kMetadata = fs::path(PE_SOURCE_DIR) / "src-org/main/default";
const fs::path kActions = fs::path(PE_SOURCE_DIR) / "src-org/actions/default";

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
ptree read_metadata(const fs::path& relative, const std::string& root,
                    const fs::path& base = kMetadata) {
  ptree doc;
  try {
    boost::property_tree::read_xml((base / relative).string(), doc,
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

// The number of .xml files under a folder, each checked: well formed, one root element in the
// Metadata API namespace.
int check_every_xml_file(const fs::path& folder) {
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".xml") continue;
    ++files;
    EXPECT_EQ(well_formedness_error(entry.path()), "") << entry.path();
    ptree doc;
    try {
      boost::property_tree::read_xml(entry.path().string(), doc,
                                     boost::property_tree::xml_parser::no_comments);
    } catch (const boost::property_tree::xml_parser_error& e) {
      ADD_FAILURE() << entry.path() << ": " << e.what();
      continue;
    }
    if (doc.size() != 1u) {
      ADD_FAILURE() << entry.path() << ": " << doc.size() << " root elements";
      continue;
    }
    EXPECT_EQ(doc.front().second.get<std::string>("<xmlattr>.xmlns", ""),
              "http://soap.sforce.com/2006/04/metadata")
        << entry.path();
  }
  return files;
}

TEST(SfdxMetadata, EveryFileIsWellFormedXmlInTheMetadataNamespace) {
  EXPECT_EQ(check_every_xml_file(kMetadata), 11);
  // The session permission set, the Flow and the callback class's -meta.xml.
  EXPECT_EQ(check_every_xml_file(kActions), 3);
}

TEST(SfdxMetadata, TheCheckCatchesMismatchedTags) {
  auto file = fs::temp_directory_path() / "pe_sfdx_metadata_test.xml";
  std::ofstream(file) << "<a><b>x</c></a>";
  EXPECT_EQ(well_formedness_error(file), "mismatched tag at line 1");
  fs::remove(file);
}

TEST(SfdxMetadata, ProjectListsBothPackageDirectories) {
  ptree project;
  ASSERT_NO_THROW(boost::property_tree::read_json(
      (fs::path(PE_SOURCE_DIR) / "sfdx-project.json").string(), project));
  std::set<std::string> paths;
  std::string default_path;
  for (const auto& [key, dir] : project.get_child("packageDirectories")) {
    paths.insert(dir.get<std::string>("path", ""));
    if (dir.get<bool>("default", false)) default_path = dir.get<std::string>("path", "");
    EXPECT_TRUE(fs::is_directory(fs::path(PE_SOURCE_DIR) / dir.get<std::string>("path", "")));
  }
  EXPECT_EQ(paths, (std::set<std::string>{"src-org/main", "src-org/actions"}));
  EXPECT_EQ(default_path, "src-org/main");
  EXPECT_EQ(project.get<std::string>("sourceApiVersion", ""), "62.0");

  // The scratch org definition, where sf looks by convention, turns Quotes on.
  ptree scratch;
  ASSERT_NO_THROW(boost::property_tree::read_json(
      (fs::path(PE_SOURCE_DIR) / "config/project-scratch-def.json").string(), scratch));
  EXPECT_EQ(scratch.get<std::string>("settings.quoteSettings.enableQuote", ""), "true");
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

TEST(SfdxMetadata, SampleKeysAreCaseSensitiveUniqueExternalIds) {
  for (std::string object : {"Opportunity", "OpportunityLineItem"}) {
    auto field =
        read_metadata("objects/" + object + "/fields/SampleKey__c.field-meta.xml", "CustomField");
    EXPECT_EQ(field.get<std::string>("fullName", ""), "SampleKey__c") << object;
    EXPECT_EQ(field.get<std::string>("externalId", ""), "true") << object;
    EXPECT_EQ(field.get<std::string>("unique", ""), "true") << object;
    EXPECT_EQ(field.get<std::string>("caseSensitive", ""), "true") << object;
    EXPECT_EQ(field.get<std::string>("type", ""), "Text") << object;
    // The same length as the local org's schema (src/devorg/schema_objects.cpp).
    EXPECT_EQ(field.get<int>("length", 0), 80) << object;
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
  std::set<std::string> deletable;
  std::set<std::string> editable_fields;
  for (const auto& [tag, element] : set) {
    if (tag == "objectPermissions" && element.get<std::string>("allowCreate", "") == "true") {
      creatable.insert(element.get<std::string>("object", ""));
    }
    if (tag == "objectPermissions" && element.get<std::string>("allowDelete", "") == "true") {
      deletable.insert(element.get<std::string>("object", ""));
    }
    if (tag == "fieldPermissions" && element.get<std::string>("editable", "") == "true") {
      editable_fields.insert(element.get<std::string>("field", ""));
    }
  }
  // Sample data: Opportunities (and their lines, which follow them) are made and deleted.
  EXPECT_EQ(creatable,
            (std::set<std::string>{"Opportunity", "Quote", "QuoteGenerationComplete__e"}));
  EXPECT_EQ(deletable, (std::set<std::string>{"Opportunity"}));
  EXPECT_EQ(editable_fields, (std::set<std::string>{
                                 "Quote.GenerationKey__c", "QuoteLineItem.GenerationKey__c",
                                 "Opportunity.SampleKey__c", "OpportunityLineItem.SampleKey__c"}));
}

TEST(SfdxMetadata, SessionPermissionSetReadsTheDiscountOverride) {
  auto set = read_metadata("permissionsets/GenerateQuotePermissions.permissionset-meta.xml",
                           "PermissionSet", kActions);
  // Held only while AppLink runs an invocation (user plus mode), never assigned for good.
  EXPECT_EQ(set.get<std::string>("hasActivationRequired", ""), "true");
  int fields = 0;
  for (const auto& [tag, element] : set) {
    if (tag == "objectPermissions" || tag == "userPermissions") ADD_FAILURE() << "grants " << tag;
    if (tag != "fieldPermissions") continue;
    ++fields;
    EXPECT_EQ(element.get<std::string>("field", ""), "OpportunityLineItem.DiscountOverride__c");
    EXPECT_EQ(element.get<std::string>("readable", ""), "true");
    EXPECT_EQ(element.get<std::string>("editable", ""), "false");
  }
  EXPECT_EQ(fields, 1);
}

TEST(SfdxMetadata, OrgActionFlowCallsGenerateQuoteWithItsRequestType) {
  auto flow = read_metadata("flows/GenerateQuoteTest.flow-meta.xml", "Flow", kActions);
  EXPECT_EQ(flow.get<std::string>("processType", ""), "AutoLaunchedFlow");
  EXPECT_EQ(flow.get<std::string>("status", ""), "Active");
  EXPECT_EQ(flow.get<std::string>("apiVersion", ""), "62.0");

  // start → the assignment → the action, and the action's body is the request variable.
  const auto& action = flow.get_child("actionCalls");
  EXPECT_EQ(action.get<std::string>("actionType", ""), "externalService");
  EXPECT_EQ(action.get<std::string>("actionName", ""), "GenerateQuote.generateQuote");
  EXPECT_EQ(action.get<std::string>("nameSegment", ""), "GenerateQuote.generateQuote");
  EXPECT_EQ(action.get<std::string>("inputParameters.name", ""), "body");
  const std::string request = action.get<std::string>("inputParameters.value.elementReference", "");
  const auto& assignment = flow.get_child("assignments");
  EXPECT_EQ(flow.get<std::string>("start.connector.targetReference", ""),
            assignment.get<std::string>("name", ""));
  EXPECT_EQ(assignment.get<std::string>("connector.targetReference", ""),
            action.get<std::string>("name", ""));
  EXPECT_EQ(assignment.get<std::string>("assignmentItems.assignToReference", ""),
            request + ".opportunityId");
  EXPECT_EQ(assignment.get<std::string>("assignmentItems.value.elementReference", ""),
            "opportunityId");

  std::map<std::string, ptree> variables;
  for (const auto& [tag, element] : flow) {
    if (tag == "variables") variables[element.get<std::string>("name", "")] = element;
  }
  ASSERT_TRUE(variables.count(request)) << request;
  EXPECT_EQ(variables[request].get<std::string>("dataType", ""), "Apex");
  EXPECT_EQ(variables[request].get<std::string>("apexClass", ""),
            "herokuapplink__GenerateQuote_QuoteGenerationRequest");
  ASSERT_TRUE(variables.count("opportunityId"));
  EXPECT_EQ(variables["opportunityId"].get<std::string>("dataType", ""), "String");
  EXPECT_EQ(variables["opportunityId"].get<std::string>("isInput", ""), "true");
}

TEST(SfdxMetadata, CallbackClassHasItsMetadataFile) {
  ASSERT_TRUE(fs::exists(kActions / "classes/GenerateQuotesCallback.cls"));
  auto meta = read_metadata("classes/GenerateQuotesCallback.cls-meta.xml", "ApexClass", kActions);
  EXPECT_EQ(meta.get<std::string>("status", ""), "Active");
  EXPECT_EQ(meta.get<std::string>("apiVersion", ""), "62.0");
}

}  // namespace
