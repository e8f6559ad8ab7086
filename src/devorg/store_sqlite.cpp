// store_sqlite.cpp: opening the database, transactions, reads, and queries with their cursors.
#include "devorg/store_sqlite.hpp"

#include "common/money.hpp"
#include "devorg/event_bus.hpp"  // salesforce_datetime

#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <unordered_map>

namespace pe::devorg {
namespace {

namespace json = boost::json;

constexpr size_t kMaxCursors = 200;
constexpr auto kCursorIdle = std::chrono::minutes(15);  // Salesforce's query cursor lifetime
constexpr size_t kChildBatch = 500;                     // parent Ids per child statement

std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

ApiError not_found() { return ApiError("NOT_FOUND", "The requested resource does not exist", 404); }

}  // namespace

const SqlValue& SqliteStore::Row::at(std::string_view column) const {
  static const SqlValue kNull;
  auto it = values.find(column);
  return it == values.end() ? kNull : it->second;
}

std::optional<int64_t> SqliteStore::Row::int64(std::string_view column) const {
  if (const auto* n = std::get_if<int64_t>(&at(column))) return *n;
  return std::nullopt;
}

std::string SqliteStore::Row::text(std::string_view column) const {
  if (const auto* s = std::get_if<std::string>(&at(column))) return *s;
  return "";
}

json::value to_wire(const FieldSchema& field, const SqlValue& value) {
  if (std::holds_alternative<std::monostate>(value)) return nullptr;
  if (const auto* n = std::get_if<int64_t>(&value)) {
    if (field.type == FieldType::boolean) return *n != 0;
    if (is_decimal(field.type)) return Decimal::from_units(*n).to_json(field.scale);
    return *n;
  }
  return json::value(std::get<std::string>(value));
}

json::value to_wire(const FieldSchema& field, SqliteStatement& row, int column) {
  if (row.is_null(column)) return nullptr;
  switch (field.type) {
    case FieldType::boolean:
      return row.int64(column) != 0;
    case FieldType::int_:
      return row.int64(column);
    case FieldType::double_:
    case FieldType::currency:
    case FieldType::percent:
      return Decimal::from_units(row.int64(column)).to_json(field.scale);
    default:
      return json::value(json::string_view(row.text(column)));
  }
}

SqliteStore::SqliteStore(const StoreOptions& options)
    : db_(options.path), clock_(options.clock), instance_(options.instance) {
  bool valid = instance_.size() == 2 && std::all_of(instance_.begin(), instance_.end(), [](char c) {
                 return std::isalnum(static_cast<unsigned char>(c));
               });
  if (!valid) throw std::invalid_argument("a store's instance is 2 letters or digits");
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
  db_.exec("PRAGMA foreign_keys = OFF");
  if (!options.path.empty()) {
    db_.exec("PRAGMA journal_mode = WAL");
    db_.exec("PRAGMA synchronous = NORMAL");
    // Every write is a savepoint inside its caller's transaction (a Bulk chunk, a composite
    // request): keep their sub-journals in memory, not in temp files written page by page,
    // which made a file database twice as slow as an in-memory one (README, "Bulk ingest").
    db_.exec("PRAGMA temp_store = MEMORY");
  }
  create_schema_if_needed();
  actor_.user = user_id_;
}

void SqliteStore::act_as(Actor actor) {
  actor_ = std::move(actor);
  if (actor_.user.is_null()) actor_.user = user_id_;
}

void SqliteStore::create_schema_if_needed() {
  auto& exists = db_.prepare("SELECT count(*) FROM sqlite_master WHERE name = '__org'");
  bool fresh = exists.step() && exists.int64(0) == 0;
  exists.reset();
  if (fresh) {
    db_.exec("BEGIN");
    db_.exec(schema_sql());
    db_.exec(
        "CREATE TABLE \"__serials\" (prefix TEXT PRIMARY KEY, next INTEGER NOT NULL);"
        "CREATE TABLE \"__org\" (key TEXT PRIMARY KEY, value TEXT NOT NULL);");
    // The org, its one user and the standard price book, as every Salesforce org has them.
    const ObjectSchema& org = *find_object("Organization");
    const ObjectSchema& user = *find_object("User");
    const ObjectSchema& book = *find_object("Pricebook2");
    org_id_ = mint(org);
    user_id_ = mint(user);
    std::string now = now_text();
    std::string uid(user_id_.str());
    auto& put = db_.prepare("INSERT INTO \"__org\" (key, value) VALUES (?1, ?2)");
    put.bind({std::string("org_id"), std::string(org_id_.str())}).step();
    put.bind({std::string("user_id"), uid}).step();
    put.bind({std::string("instance"), instance_}).step();
    auto& insert_org = db_.prepare(
        "INSERT INTO \"Organization\" (\"Id\", \"Name\", \"OrganizationType\", \"InstanceName\", "
        "\"IsSandbox\", \"NamespacePrefix\", \"LanguageLocaleKey\", \"TimeZoneSidKey\", "
        "\"DefaultLocaleSidKey\", \"CreatedDate\", \"CreatedById\", \"LastModifiedDate\", "
        "\"LastModifiedById\", \"SystemModstamp\") VALUES (?1, 'pricing-engine local org', "
        "'Developer Edition', 'LOCAL', 0, NULL, 'en_US', 'GMT', 'en_US', ?2, ?3, ?2, ?3, ?2)");
    insert_org.bind({std::string(org_id_.str()), now, uid}).step();
    auto& insert_user = db_.prepare(
        "INSERT INTO \"User\" (\"Id\", \"Username\", \"LastName\", \"FirstName\", \"Name\", "
        "\"Alias\", \"Email\", \"IsActive\", \"Title\", \"CompanyName\", \"TimeZoneSidKey\", "
        "\"LocaleSidKey\", \"EmailEncodingKey\", \"LanguageLocaleKey\", \"CreatedDate\", "
        "\"CreatedById\", \"LastModifiedDate\", \"LastModifiedById\", \"SystemModstamp\") VALUES "
        "(?1, 'integration@devorg.local', 'User', 'Integration', 'Integration User', 'integ', "
        "'integration@devorg.local', 1, 'Integration User', 'pricing-engine', 'GMT', 'en_US', "
        "'UTF-8', 'en_US', ?2, ?1, ?2, ?1, ?2)");
    insert_user.bind({uid, now}).step();
    standard_pricebook_ = mint(book);
    auto& insert_book = db_.prepare(
        "INSERT INTO \"Pricebook2\" (\"Id\", \"Name\", \"IsActive\", \"IsStandard\", "
        "\"Description\", \"IsDeleted\", \"CreatedDate\", \"CreatedById\", \"LastModifiedDate\", "
        "\"LastModifiedById\", \"SystemModstamp\") VALUES (?1, 'Standard Price Book', 1, 1, "
        "'The standard price book', 0, ?2, ?3, ?2, ?3, ?2)");
    insert_book.bind({std::string(standard_pricebook_.str()), now, uid}).step();
    db_.exec("COMMIT");
    return;
  }
  add_missing_columns();
  auto& get = db_.prepare("SELECT value FROM \"__org\" WHERE key = ?1");
  // A file from before instances has none: its Ids were minted with "00".
  get.bind({std::string("instance")});
  instance_ = get.step() ? std::string(get.text(0)) : std::string("00");
  get.bind({std::string("org_id")});
  if (get.step()) org_id_ = SalesforceId::parse(get.text(0)).value();
  get.bind({std::string("user_id")});
  if (get.step()) user_id_ = SalesforceId::parse(get.text(0)).value();
  get.reset();
  auto& book = db_.prepare("SELECT \"Id\" FROM \"Pricebook2\" WHERE \"IsStandard\" = 1 LIMIT 1");
  if (book.step()) standard_pricebook_ = SalesforceId::parse(book.text(0)).value();
  book.reset();
}

void SqliteStore::add_missing_columns() {
  db_.exec("BEGIN");
  for (const auto& o : all_objects()) {
    std::vector<std::string> have;
    auto& info = db_.prepare("SELECT name FROM pragma_table_info(?1)");
    info.bind({std::string(o.name)});
    while (info.step()) have.emplace_back(info.text(0));
    info.reset();
    for (const auto& f : o.fields) {
      if (std::find(have.begin(), have.end(), f.name) != have.end()) continue;
      db_.exec("ALTER TABLE \"" + std::string(o.name) + "\" ADD COLUMN " + column_definition(f));
    }
  }
  db_.exec(schema_sql());  // IF NOT EXISTS throughout: adds only the new indexes
  db_.exec("COMMIT");
}

std::optional<SalesforceId> SqliteStore::find_by_key(const ObjectSchema& object,
                                                     const FieldSchema& field,
                                                     std::string_view value) {
  std::string sql = "SELECT \"Id\" FROM \"" + std::string(object.name) + "\" WHERE \"" +
                    std::string(field.name) + "\" = ?1";
  if (object.has_is_deleted()) sql += " AND \"IsDeleted\" = 0";
  auto& find = db_.prepare(sql + " LIMIT 1");
  find.bind({std::string(value)});
  std::optional<SalesforceId> id;
  if (find.step()) {
    if (auto parsed = SalesforceId::parse(find.text(0))) id = *parsed;
  }
  find.reset();
  return id;
}

SalesforceId SqliteStore::mint(const ObjectSchema& object) {
  std::string prefix(object.key_prefix);
  auto& read = db_.prepare("SELECT next FROM \"__serials\" WHERE prefix = ?1");
  read.bind({prefix});
  int64_t serial = read.step() ? read.int64(0) : 1;
  read.reset();
  auto& write = db_.prepare(
      "INSERT INTO \"__serials\" (prefix, next) VALUES (?1, ?2) "
      "ON CONFLICT (prefix) DO UPDATE SET next = excluded.next");
  write.bind({prefix, serial + 1}).step();
  SalesforceId id = SalesforceId::make(prefix, static_cast<uint64_t>(serial));
  if (instance_ == "00") return id;
  // Serials stay far below 62^10, so positions 4 and 5 of a made Id are "00": the instance
  // takes their place, and the Id keeps its order among the org's own.
  std::string text(id.str15());
  text[3] = instance_[0];
  text[4] = instance_[1];
  return SalesforceId::parse(text).value();
}

int64_t SqliteStore::next_number(std::string_view key, const ObjectSchema& object) {
  auto& read = db_.prepare("SELECT next FROM \"__serials\" WHERE prefix = ?1");
  read.bind({std::string(key)});
  std::optional<int64_t> next;
  if (read.step()) next = read.int64(0);
  read.reset();
  if (!next) {
    auto& count = db_.prepare("SELECT COUNT(*) FROM \"" + std::string(object.name) + "\"");
    count.step();
    next = count.int64(0) + 1;
    count.reset();
  }
  auto& write = db_.prepare(
      "INSERT INTO \"__serials\" (prefix, next) VALUES (?1, ?2) "
      "ON CONFLICT (prefix) DO UPDATE SET next = excluded.next");
  write.bind({std::string(key), *next + 1}).step();
  return *next;
}

std::string SqliteStore::now_text() const { return salesforce_datetime(clock_()); }

void SqliteStore::begin() {
  db_.exec("SAVEPOINT s" + std::to_string(depth_));
  ++depth_;
}

void SqliteStore::commit() {
  if (depth_ == 0) return;
  --depth_;
  db_.exec("RELEASE s" + std::to_string(depth_));
  if (depth_ == 0) {
    auto changes = std::move(pending_changes_);
    pending_changes_.clear();
    for (const auto& c : changes) {
      for (const auto& listener : listeners_) listener(c);
    }
  }
}

void SqliteStore::rollback() {
  if (depth_ == 0) return;
  --depth_;
  db_.exec("ROLLBACK TO s" + std::to_string(depth_));
  db_.exec("RELEASE s" + std::to_string(depth_));
  if (depth_ == 0) pending_changes_.clear();
}

void SqliteStore::record_change(Change change) {
  if (depth_ > 0) {
    pending_changes_.push_back(std::move(change));
    return;
  }
  for (const auto& listener : listeners_) listener(change);
}

std::optional<SqliteStore::Row> SqliteStore::load(const ObjectSchema& object,
                                                  const SalesforceId& id) {
  auto& stmt = db_.prepare("SELECT * FROM " + quoted(object.name) + " WHERE \"Id\" = ?1");
  stmt.bind({std::string(id.str())});
  if (!stmt.step()) return std::nullopt;
  Row row;
  for (int c = 0; c < stmt.columns(); ++c) {
    row.values.emplace(std::string(stmt.column_name(c)), stmt.value(c));
  }
  stmt.reset();
  row.deleted = row.int64("IsDeleted").value_or(0) != 0;
  return row;
}

ApiResult<json::object> SqliteStore::retrieve(std::string_view object_name, std::string_view id,
                                              const std::vector<std::string>& fields,
                                              std::string_view api_version) {
  const ObjectSchema* object = find_object(object_name);
  if (!object) return not_found();
  auto parsed = SalesforceId::parse(id);
  if (!parsed || parsed->prefix() != object->key_prefix) return not_found();
  std::vector<const FieldSchema*> wanted;
  if (fields.empty()) {
    for (const auto& f : object->fields) {
      if (!actor_.hidden.contains(&f)) wanted.push_back(&f);
    }
  } else {
    for (const auto& name : fields) {
      const FieldSchema* f = actor_.hidden.visible(*object, name);
      if (!f) {
        return ApiError("INVALID_FIELD", "No such column '" + printable(name, 80) +
                                             "' on entity '" + std::string(object->name) +
                                             "'. If you are attempting to use a custom field, be "
                                             "sure to append the '__c' after the custom field "
                                             "name. Please reference your WSDL or the describe "
                                             "call for the appropriate names.");
      }
      wanted.push_back(f);
    }
  }
  auto row = load(*object, *parsed);
  if (!row) return not_found();
  if (row->deleted) return ApiError("ENTITY_IS_DELETED", "entity is deleted", 404);
  json::object record;
  record["attributes"] =
      json::object{{"type", object->name},
                   {"url", "/services/data/v" + std::string(api_version) + "/sobjects/" +
                               std::string(object->name) + "/" + std::string(parsed->str())}};
  for (const FieldSchema* f : wanted) record[f->name] = to_wire(*f, row->at(f->name));
  return record;
}

namespace {

// Renders node `index` of a compiled query from the current row.
json::object render_node(const std::vector<RecordNode>& nodes, int index, SqliteStatement& row,
                         std::string_view api_version,
                         std::vector<std::pair<int, std::string_view>>* child_slots) {
  const RecordNode& node = nodes[static_cast<size_t>(index)];
  json::object out;
  std::string id(row.text(node.id_column));
  out["attributes"] =
      json::object{{"type", node.object->name},
                   {"url", "/services/data/v" + std::string(api_version) + "/sobjects/" +
                               std::string(node.object->name) + "/" + id}};
  for (const auto& entry : node.entries) {
    switch (entry.kind) {
      case RecordNode::Entry::Kind::field:
        out[entry.key] = to_wire(*entry.field, row, entry.column);
        break;
      case RecordNode::Entry::Kind::parent: {
        const RecordNode& parent = nodes[static_cast<size_t>(entry.node)];
        if (row.is_null(parent.id_column)) {
          out[entry.key] = nullptr;
        } else {
          out[entry.key] = render_node(nodes, entry.node, row, api_version, nullptr);
        }
        break;
      }
      case RecordNode::Entry::Kind::children:
        out[entry.key] = nullptr;  // filled in after the children's statement runs
        if (child_slots) child_slots->emplace_back(entry.child, entry.key);
        break;
    }
  }
  return out;
}

ApiError too_complicated(const std::string& why) {
  return ApiError("QUERY_TOO_COMPLICATED",
                  "Query is too complicated for the local org to run (" + why + ")");
}

}  // namespace

ApiResult<json::array> SqliteStore::run_query(const CompiledQuery& compiled,
                                              std::string_view api_version,
                                              std::vector<int64_t>& weights) {
  std::string error;
  auto stmt = db_.prepare_uncached(compiled.sql, &error);
  if (!stmt) return too_complicated(error);
  stmt->bind(compiled.params);
  json::array records;
  std::vector<std::string> ids;
  std::vector<std::pair<int, std::string_view>> slots;  // of the first record; same for all
  while (stmt->step()) {
    slots.clear();
    records.push_back(render_node(compiled.nodes, 0, *stmt, api_version, &slots));
    ids.emplace_back(stmt->text(compiled.nodes[0].id_column));
  }
  weights.assign(records.size(), 1);
  if (records.empty() || compiled.children.empty()) return records;

  std::unordered_map<std::string_view, size_t> index;
  index.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
  for (size_t c = 0; c < compiled.children.size(); ++c) {
    const ChildQuery& child = compiled.children[c];
    std::vector<json::array> found(records.size());
    for (size_t start = 0; start < ids.size(); start += kChildBatch) {
      size_t n = std::min(kChildBatch, ids.size() - start);
      auto cstmt = db_.prepare_uncached(child.sql(n), &error);
      if (!cstmt) return too_complicated(error);
      std::vector<SqlValue> params;
      params.reserve(n + child.params.size());
      for (size_t i = 0; i < n; ++i) params.emplace_back(ids[start + i]);
      params.insert(params.end(), child.params.begin(), child.params.end());
      cstmt->bind(params);
      while (cstmt->step()) {
        auto it = index.find(cstmt->text(child.parent_key_column));
        if (it == index.end()) continue;
        found[it->second].push_back(render_node(child.nodes, 0, *cstmt, api_version, nullptr));
      }
    }
    for (size_t r = 0; r < records.size(); ++r) {
      if (found[r].empty()) continue;
      weights[r] += static_cast<int64_t>(found[r].size());
      json::object page{{"totalSize", static_cast<int64_t>(found[r].size())},
                        {"done", true},
                        {"records", std::move(found[r])}};
      records[r].as_object()[child.relationship] = std::move(page);
    }
  }
  return records;
}

void SqliteStore::drop_old_cursors() {
  auto now = std::chrono::steady_clock::now();
  for (auto it = cursors_.begin(); it != cursors_.end();) {
    it = now - it->second.last_used > kCursorIdle ? cursors_.erase(it) : std::next(it);
  }
  while (cursors_.size() >= kMaxCursors) {
    auto oldest = std::min_element(
        cursors_.begin(), cursors_.end(),
        [](const auto& a, const auto& b) { return a.second.last_used < b.second.last_used; });
    cursors_.erase(oldest);
  }
}

ApiResult<QueryPage> SqliteStore::query(std::string_view soql, const QueryOptions& options) {
  TranslateOptions translate;
  translate.include_deleted = options.include_deleted;
  translate.now = clock_();
  translate.hidden = actor_.hidden;
  auto compiled = compile_soql(soql, translate);
  if (!compiled) return compiled.error();
  std::string error;
  if (compiled->count_only) {
    auto stmt = db_.prepare_uncached(compiled->sql, &error);
    if (!stmt) return too_complicated(error);
    stmt->bind(compiled->params);
    QueryPage page;
    if (stmt->step()) page.total_size = stmt->int64(0);
    return page;
  }
  Cursor cursor;
  cursor.batch_size = std::clamp(options.batch_size, 200, 2000);
  auto records = run_query(*compiled, options.api_version, cursor.weights);
  if (!records) return records.error();
  cursor.records = std::move(*records);
  cursor.total_size = static_cast<int64_t>(cursor.records.size());
  cursor.last_used = std::chrono::steady_clock::now();
  std::string id(SalesforceId::make("01g", next_cursor_++).str());
  return page_of(id, cursor, 0, options.api_version);
}

ApiResult<QueryPage> SqliteStore::page_of(const std::string& cursor_id, Cursor& cursor,
                                          size_t offset, std::string_view api_version) {
  (void)api_version;
  QueryPage page;
  page.total_size = cursor.total_size;
  // A page holds records while their rows (the record and its children, as Salesforce counts
  // them) fit in the batch size; always at least one record.
  int64_t rows = 0;
  size_t end = offset;
  while (end < cursor.records.size()) {
    if (end > offset && rows + cursor.weights[end] > cursor.batch_size) break;
    rows += cursor.weights[end];
    ++end;
  }
  page.records.reserve(end - offset);
  for (size_t i = offset; i < end; ++i) page.records.push_back(cursor.records[i]);
  page.done = end >= cursor.records.size();
  if (!page.done) {
    page.next_locator = cursor_id + "-" + std::to_string(end);
    cursor.last_used = std::chrono::steady_clock::now();
    if (!cursors_.contains(cursor_id)) {
      drop_old_cursors();
      cursors_.emplace(cursor_id, std::move(cursor));
    }
  } else {
    cursors_.erase(cursor_id);
  }
  return page;
}

ApiResult<QueryPage> SqliteStore::query_more(std::string_view locator,
                                             std::string_view api_version) {
  auto invalid = [&] { return ApiError("INVALID_QUERY_LOCATOR", "invalid query locator", 400); };
  size_t dash = locator.rfind('-');
  if (dash == std::string_view::npos) return invalid();
  size_t offset = 0;
  auto digits = locator.substr(dash + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), offset);
  if (ec != std::errc() || end != digits.data() + digits.size()) return invalid();
  auto it = cursors_.find(locator.substr(0, dash));
  if (it == cursors_.end() || offset > it->second.records.size()) return invalid();
  std::string id = it->first;
  return page_of(id, it->second, offset, api_version);
}

ApiResult<std::unique_ptr<Store>> Store::open(const StoreOptions& options) {
  try {
    return std::unique_ptr<Store>(std::make_unique<SqliteStore>(options));
  } catch (const SqliteError& e) {
    return ApiError("STORAGE_ERROR", e.what(), 500);
  }
}

}  // namespace pe::devorg
