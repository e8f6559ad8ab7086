// accounts_page.hpp: GET / — the Accounts of every connected org, a panel per connection in
// CONNECTION_NAMES order.
//
// Each panel: Name, Id, BillingCountry, the region the pricing rules give that country, and the
// created date; sorted by Name then Id; 50 rows a page; the org's total for the search. The orgs
// are read at the same time (two queries each: the page and its COUNT()), so the page takes
// about as long as the slowest org; a Server-Timing header gives each org's time. A failing org
// shows a short reason in its panel and the others render.
//
// Paging is by key, not OFFSET: a page ends at (Name, Id), and the next one asks for rows after
// it (`Name > :n OR (Name = :n AND Id > :id)`), so it stays right while rows are added, costs the
// same on page 1 and page 1,000 (Salesforce refuses OFFSET above 2,000), and previous works the
// same way backwards. The cursors are in the URL (`after_<org>` / `before_<org>`, base64url of
// the Name and Id), one per panel; `q` is the name search (a LIKE, SOQL-escaped), up to 80
// characters.
#pragma once

#include "net/router.hpp"

#include <string>
#include <string_view>

namespace pe::pages {

class PageRoutes;

void add_accounts_page(PageRoutes& pages, net::Router& router);

// The page's cursor: where a page starts (after) or ends (before).
struct AccountCursor {
  std::string name;
  std::string id;  // 18 characters
};
std::string encode_cursor(const AccountCursor& cursor);
// nullopt for anything that is not a cursor this page wrote.
std::optional<AccountCursor> decode_cursor(std::string_view text);

// The SOQL of one panel's page: `direction` is "after", "before" or "" (the first page).
std::string accounts_query(std::string_view search, std::string_view direction,
                           const AccountCursor* cursor, int rows);
std::string accounts_count_query(std::string_view search);

}  // namespace pe::pages
