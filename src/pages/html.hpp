// html.hpp: text into HTML, safely. Every value that came from an org, a user or a request goes
// through text()/attr(); only literals of ours go through raw().
//
//   Html h;
//   h.raw("<td>").text(account.name).raw("</td>");          // <img ...> shows as text
//   h.raw("<a href=\"/?q=").attr(salesforce::url_encode(q)).raw("\">next</a>");
//   std::string body = std::move(h).str();
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pe::pages {

// Appends text with & < > " ' escaped: safe inside elements and quoted attribute values.
void append_escaped(std::string& out, std::string_view text);
std::string escaped(std::string_view text);

// An epoch time in UTC for a page, with a strftime format: "2026-12-07 06:13:00" by default;
// "" for 0 or less (unknown).
std::string utc_time(int64_t epoch_ms, const char* format = "%Y-%m-%d %H:%M:%S");

class Html {
 public:
  Html& raw(std::string_view markup) {
    out_ += markup;
    return *this;
  }
  Html& text(std::string_view value) {
    append_escaped(out_, value);
    return *this;
  }
  Html& attr(std::string_view value) { return text(value); }
  Html& number(long long value) {
    out_ += std::to_string(value);
    return *this;
  }
  std::string str() && { return std::move(out_); }
  const std::string& view() const { return out_; }

 private:
  std::string out_;
};

}  // namespace pe::pages
