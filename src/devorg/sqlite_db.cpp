#include "devorg/sqlite_db.hpp"

namespace pe::devorg {

SqliteStatement& SqliteStatement::bind(std::span<const SqlValue> values, int first) {
  reset();
  for (size_t i = 0; i < values.size(); ++i) {
    int at = first + static_cast<int>(i);
    if (const auto* n = std::get_if<int64_t>(&values[i])) {
      sqlite3_bind_int64(stmt_, at, *n);
    } else if (const auto* s = std::get_if<std::string>(&values[i])) {
      sqlite3_bind_text(stmt_, at, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(stmt_, at);
    }
  }
  return *this;
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  constraint_failed_ = false;
}

bool SqliteStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  if ((rc & 0xff) == SQLITE_CONSTRAINT) {
    constraint_failed_ = true;
    return false;
  }
  throw SqliteError(std::string("sqlite: ") + sqlite3_errmsg(db_));
}

SqliteDb::SqliteDb(const std::string& path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.empty() ? ":memory:" : path.c_str(), &db_, flags, nullptr) !=
      SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError("cannot open " + (path.empty() ? std::string("the database") : path) + ": " +
                      message);
  }
}

SqliteDb::~SqliteDb() {
  cache_.clear();  // finalize before closing
  sqlite3_close(db_);
}

void SqliteDb::exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw SqliteError("sqlite: " + text);
  }
}

std::unique_ptr<SqliteStatement> SqliteDb::prepare_uncached(const std::string& sql,
                                                            std::string* error) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    if (error) *error = sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    return nullptr;
  }
  return std::make_unique<SqliteStatement>(db_, stmt);
}

SqliteStatement& SqliteDb::prepare(const std::string& sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) {
    it->second->reset();
    return *it->second;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    std::string error = sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    throw SqliteError("sqlite: " + error + " in " + sql.substr(0, 200));
  }
  auto [it, inserted] = cache_.emplace(sql, std::make_unique<SqliteStatement>(db_, stmt));
  return *it->second;
}

}  // namespace pe::devorg
