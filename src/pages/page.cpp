#include "pages/page.hpp"

#include "pages/html.hpp"

namespace pe::pages {

namespace assets {
extern const std::string_view pages_css;
extern const std::string_view pages_js;
}  // namespace assets

namespace {

namespace http = net::http;

constexpr std::string_view kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

void nav_link(Html& h, std::string_view href, std::string_view label, bool current) {
  h.raw("<a href=\"").raw(href).raw("\"");
  if (current) h.raw(" aria-current=\"page\"");
  h.raw(">").raw(label).raw("</a>");
}

}  // namespace

std::string render_page(const Frame& frame, std::string_view body_html) {
  Html h;
  h.raw(
       "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
       "<title>")
      .text(frame.title)
      .raw(
          " · pricing-engine</title>"
          "<link rel=\"stylesheet\" href=\"/assets/pages.css\">"
          "<script src=\"/assets/pages.js\" defer></script></head><body>"
          "<header class=\"top\"><span class=\"brand\">pricing-engine</span>");
  if (!frame.csrf.empty()) {
    h.raw("<nav aria-label=\"Pages\">");
    nav_link(h, "/", "Accounts", frame.section == Section::accounts);
    nav_link(h, "/bulk", "Bulk API", frame.section == Section::bulk);
    nav_link(h, "/ops", "Operations", frame.section == Section::ops);
    h.raw(
         "</nav><form method=\"post\" action=\"/logout\">"
         "<input type=\"hidden\" name=\"csrf\" value=\"")
        .attr(frame.csrf)
        .raw("\"><button class=\"secondary\" type=\"submit\">Sign out</button></form>");
  }
  h.raw("</header><main id=\"main\">");
  if (!frame.notice.empty())
    h.raw("<p class=\"notice\" role=\"status\">").text(frame.notice).raw("</p>");
  h.raw(body_html);
  h.raw("</main></body></html>\n");
  return std::move(h).str();
}

void set_page_headers(net::Response& res) {
  res.set("Content-Security-Policy", kPolicy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "same-origin");
  res.set(http::field::cache_control, "no-store");
}

net::Response html_response(http::status status, const Frame& frame, std::string_view body_html) {
  net::Response res{status, 11};
  res.set(http::field::content_type, "text/html; charset=utf-8");
  set_page_headers(res);
  res.body() = render_page(frame, body_html);
  return res;
}

net::Response redirect(std::string_view location) {
  net::Response res{http::status::see_other, 11};
  res.set(http::field::location, location);
  set_page_headers(res);
  return res;
}

std::string_view stylesheet() { return assets::pages_css; }
std::string_view script() { return assets::pages_js; }

}  // namespace pe::pages
