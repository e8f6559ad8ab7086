// page.hpp: the frame every page is drawn in, and the headers every page is sent with.
//
// Headers: Content-Security-Policy "default-src 'none'; script-src 'self'; style-src 'self';
// img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri
// 'none'" (no inline script or style, not framed), X-Content-Type-Options: nosniff,
// Referrer-Policy: same-origin, and Cache-Control: no-store (pages show org data). The stylesheet
// and the one script (assets.cpp, ours) are served from /assets/ and may be cached.
//
//   Frame frame{.title = "Accounts", .section = Section::accounts, .csrf = session.csrf};
//   co_return html_response(http::status::ok, frame, std::move(body).str());
#pragma once

#include "net/http_message.hpp"

#include <string>
#include <string_view>

namespace pe::pages {

enum class Section { accounts, bulk, ops, login, none };

struct Frame {
  std::string title;
  Section section = Section::none;
  std::string csrf;    // of the signed-in session (the sign-out form); empty: signed out
  std::string notice;  // a line shown above the content (escaped), e.g. "Load started"
};

// The whole document: head, navigation, notice, `body_html` (already escaped where needed).
std::string render_page(const Frame& frame, std::string_view body_html);

// A text/html response with the page headers above.
net::Response html_response(net::http::status status, const Frame& frame,
                            std::string_view body_html);
// Sets the page headers on any response (JSON answers of the live parts too).
void set_page_headers(net::Response& res);
// 303 See Other to `location` (a path of ours), with the page headers.
net::Response redirect(std::string_view location);

// GET /assets/pages.css and /assets/pages.js.
std::string_view stylesheet();
std::string_view script();

}  // namespace pe::pages
