// sqlite_db.hpp (internal to devorg): a thin, safe wrapper over the sqlite3 C API — one
// connection, prepared statements cached by their SQL text, values bound as SqlValue.
//
//   SqliteDb db(":memory:");
//   auto& stmt = db.prepare("SELECT \"Name\" FROM \"Account\" WHERE \"Id\" = ?1");
//   stmt.bind({std::string(id)});
//   while (stmt.step()) std::string name = stmt.text(0);
#pragma once

#include "devorg/soql_translator.hpp"  // SqlValue

#include <sqlite3.h>

#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pe::devorg {

// A broken invariant of our own SQL (a statement that does not prepare, a disk error): these
// are bugs or environment failures, not caller errors, so they are exceptions.
struct SqliteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement() { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Resets the statement and binds values to ?1, ?2, ...
  SqliteStatement& bind(std::span<const SqlValue> values, int first = 1);
  SqliteStatement& bind(std::initializer_list<SqlValue> values) {
    return bind(std::span<const SqlValue>(values.begin(), values.size()));
  }
  void reset();
  // True while there is a row; throws SqliteError on failure. Constraint violations are
  // reported through constraint_failed() instead (step returns false).
  bool step();
  bool constraint_failed() const { return constraint_failed_; }

  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string_view text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string_view();
  }
  int columns() const { return sqlite3_column_count(stmt_); }
  std::string_view column_name(int column) const { return sqlite3_column_name(stmt_, column); }
  // The column as a SqlValue: NULL, INTEGER or TEXT (what our layout stores).
  SqlValue value(int column) const {
    switch (sqlite3_column_type(stmt_, column)) {
      case SQLITE_NULL:
        return std::monostate{};
      case SQLITE_INTEGER:
        return int64(column);
      default:
        return std::string(text(column));
    }
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool constraint_failed_ = false;
};

class SqliteDb {
 public:
  explicit SqliteDb(const std::string& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  void exec(const std::string& sql);
  // A cached statement for `sql` (our own fixed statements: a finite set), reset. Throws
  // SqliteError when it does not prepare.
  SqliteStatement& prepare(const std::string& sql);
  // A statement of its own, not cached (translated SOQL: one text per query); nullptr with the
  // reason in `error` when it does not prepare (answered as QUERY_TOO_COMPLICATED).
  std::unique_ptr<SqliteStatement> prepare_uncached(const std::string& sql, std::string* error);
  int64_t changes() const { return sqlite3_changes64(db_); }
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<SqliteStatement>, std::less<>> cache_;
};

}  // namespace pe::devorg
