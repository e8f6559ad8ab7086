// describe.hpp: the REST API's metadata answers built from the schema catalogue — the version
// list, the resources of a version, describeGlobal (/sobjects), an object's basic information
// (/sobjects/{Type}) and its full describe (/sobjects/{Type}/describe), in the shapes jsforce and
// typical tools read.
//
//   auto answer = describe_object(*find_object("Account"), "62.0");
//   answer["fields"][0]["name"] == "Id"
#pragma once

#include "devorg/schema.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string_view>

namespace pe::devorg {

// The API versions the local org serves: 50.0 to kLatestApiVersion.
inline constexpr int kOldestApiVersion = 50;
inline constexpr int kLatestApiVersion = 66;

// "62.0" (from a "v62.0" path segment without the v) when it is a version we serve.
bool is_served_version(std::string_view version);

boost::json::array versions();                                  // GET /services/data
boost::json::object resources(std::string_view version);        // GET /services/data/vXX.X
boost::json::object describe_global(std::string_view version);  // GET .../sobjects
boost::json::object object_info(const ObjectSchema& object, std::string_view version);
// Fields in `hidden` (the session's field-level security) are left out, as Salesforce's describe
// leaves out the fields a user cannot read.
boost::json::object describe_object(const ObjectSchema& object, std::string_view version,
                                    const HiddenFields& hidden = {});

}  // namespace pe::devorg
