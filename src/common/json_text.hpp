// json_text.hpp: JSON text the way Salesforce and people write it.
//
// boost::json::serialize prints every double in exponent form ("1.999E1"). Salesforce answers
// 19.99, and money read back from "1.999E1" is the same number but not the same text. json_text()
// writes the same document with doubles in their shortest plain form (double_to_plain_text:
// 19.99, 0.000001, 1e+300 only for huge values); everything else is as boost::json writes it.
//
//   json_text(json::object{{"Amount", 19.99}, {"Name", "Acme"}})  // {"Amount":19.99,"Name":"Acme"}
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace pe {

std::string json_text(const boost::json::value& value);
void append_json_text(std::string& out, const boost::json::value& value);

}  // namespace pe
