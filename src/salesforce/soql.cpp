#include "salesforce/soql.hpp"

namespace pe::salesforce {

std::string soql_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('\'');
  for (char c : text) {
    switch (c) {
      case '\'':
        out += "\\'";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

std::string soql_quote_like(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    if (c == '%' || c == '_') escaped.push_back('\\');
    escaped.push_back(c);
  }
  // soql_quote would double the backslashes added above; quote the rest by hand.
  std::string out = "'";
  for (size_t i = 0; i < escaped.size(); ++i) {
    char c = escaped[i];
    if (c == '\\' && i + 1 < escaped.size() && (escaped[i + 1] == '%' || escaped[i + 1] == '_')) {
      out += '\\';
      out += escaped[++i];
      continue;
    }
    std::string one = soql_quote(std::string_view(&c, 1));
    out += one.substr(1, one.size() - 2);
  }
  out += "'";
  return out;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.' || c == '_' || c == '~';
    if (keep) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::vector<std::string> split_in_list(std::string_view head, std::span<const SalesforceId> ids,
                                       std::string_view tail, size_t max_chars,
                                       size_t max_url_bytes) {
  std::vector<std::string> out;
  size_t fixed_chars = head.size() + tail.size();
  size_t fixed_url = url_encode(head).size() + url_encode(tail).size();
  // Each Id costs 20 characters ('...') plus a comma; encoded, the quotes and comma take 3 each.
  constexpr size_t kIdChars = 21;
  constexpr size_t kIdUrl = 18 + 3 + 3 + 3;
  std::string current;
  size_t chars = 0, url = 0, count = 0;
  auto flush = [&] {
    if (count == 0) return;
    out.push_back(std::string(head) + current + std::string(tail));
    current.clear();
    chars = url = count = 0;
  };
  for (const auto& id : ids) {
    if (count > 0 &&
        (fixed_chars + chars + kIdChars > max_chars || fixed_url + url + kIdUrl > max_url_bytes)) {
      flush();
    }
    if (count > 0) current.push_back(',');
    current.push_back('\'');
    current.append(id.str());
    current.push_back('\'');
    chars += kIdChars;
    url += kIdUrl;
    ++count;
  }
  flush();
  return out;
}

}  // namespace pe::salesforce
