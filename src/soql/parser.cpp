#include "soql/parser.hpp"

#include "soql/dates.hpp"
#include "soql/lexer.hpp"
#include "soql/utf8.hpp"

#include <array>
#include <limits>

namespace pe::soql {

std::string FieldRef::text() const {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '.';
    out += parts[i];
  }
  return out;
}

namespace {

constexpr std::string_view kMalformed = "MALFORMED_QUERY";
constexpr std::string_view kTooComplicated = "QUERY_TOO_COMPLICATED";

// Words that cannot name a field, an object or an alias where the parser meets them.
constexpr std::array<std::string_view, 30> kReserved = {
    "SELECT",   "FROM",     "WHERE", "AND",    "OR",    "NOT",    "IN",   "LIKE",
    "ORDER",    "BY",       "GROUP", "HAVING", "LIMIT", "OFFSET", "WITH", "USING",
    "FOR",      "UPDATE",   "ASC",   "DESC",   "NULLS", "FIRST",  "LAST", "TYPEOF",
    "INCLUDES", "EXCLUDES", "NULL",  "TRUE",   "FALSE", "ALL"};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

size_t code_point_count(std::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++i)
    count += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
  return count;
}

class Parser {
 public:
  Parser(std::string_view soql, std::vector<Token> tokens, const ParseLimits& limits)
      : soql_(soql), tokens_(std::move(tokens)), limits_(limits) {}

  SoqlResult<Query> run() {
    const Token& first = peek();
    if (!is_keyword(first, "SELECT")) {
      // Salesforce answers a statement that does not start with SELECT without a pointer:
      // "unexpected token: SELEKT" (recorded).
      std::string shown = first.kind == TokenKind::end ? "<EOF>" : printable(first.text);
      std::string text = "unexpected token: " + shown;
      return SoqlError{std::string(kMalformed), text, first.offset, text};
    }
    Query query;
    if (!parse_query(query, /*top_level=*/true)) return error_;
    if (peek().kind != TokenKind::end) {
      unexpected(peek());
      return error_;
    }
    return query;
  }

 private:
  const Token& peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& advance() {
    const Token& token = peek();
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return token;
  }
  static bool is_keyword(const Token& token, std::string_view keyword) {
    return token.kind == TokenKind::identifier && iequals(token.text, keyword);
  }
  static bool is_reserved(const Token& token) {
    if (token.kind != TokenKind::identifier) return false;
    for (auto word : kReserved) {
      if (iequals(token.text, word)) return true;
    }
    return false;
  }
  bool is_name(const Token& token) const {
    return token.kind == TokenKind::identifier && !is_reserved(token);
  }

  // `text` after Salesforce's pointer; the reason is `text` without `local_suffix`, which only
  // the local org's message carries.
  bool fail(uint32_t offset, std::string_view text, std::string_view code = kMalformed,
            std::string_view local_suffix = {}) {
    std::string message =
        query_error_message(soql_, offset, std::string(text) + std::string(local_suffix));
    error_ = SoqlError{std::string(code), std::move(message), offset, std::string(text)};
    return false;
  }
  bool unexpected(const Token& token) {
    std::string shown = token.kind == TokenKind::end ? "<EOF>" : printable(token.text);
    return fail(token.offset, "unexpected token: '" + shown + "'");
  }
  bool expect(TokenKind kind) {
    if (peek().kind != kind) return unexpected(peek());
    advance();
    return true;
  }
  bool expect_keyword(std::string_view keyword) {
    if (!is_keyword(peek(), keyword)) return unexpected(peek());
    advance();
    return true;
  }
  // Salesforce supports it; the local org does not, and says so rather than answer wrongly.
  bool unsupported(uint32_t offset, std::string_view what) {
    return fail(offset, std::string(what) + " is not supported", kMalformed, " by the local org");
  }
  bool count_value(uint32_t offset) {
    if (++values_ <= limits_.max_values) return true;
    return fail(offset,
                "Query is too complicated: more than " + std::to_string(limits_.max_values) +
                    " values in the WHERE clause",
                kTooComplicated);
  }

  static FieldRef field_ref(const Token& token) {
    FieldRef ref;
    ref.offset = token.offset;
    std::string_view text = token.text;
    while (true) {
      size_t dot = text.find('.');
      ref.parts.emplace_back(text.substr(0, dot));
      if (dot == std::string_view::npos) break;
      text.remove_prefix(dot + 1);
    }
    return ref;
  }

  bool parse_query(Query& q, bool top_level) {
    advance();  // SELECT, checked by the caller
    if (is_keyword(peek(), "FROM")) {
      return fail(peek().offset, "unexpected token: 'SELECT FROM'");
    }
    if (!parse_select_list(q, top_level)) return false;
    if (!expect_keyword("FROM")) return false;
    if (!is_name(peek())) return unexpected(peek());
    q.from = field_ref(advance());
    if (is_name(peek())) q.alias = std::string(advance().text);
    return parse_clauses(q);
  }

  bool parse_select_list(Query& q, bool top_level) {
    while (true) {
      const Token& token = peek();
      if (token.kind == TokenKind::lparen && is_keyword(peek(1), "SELECT")) {
        if (!top_level) {
          return unsupported(token.offset, "A child relationship query inside another one");
        }
        if (q.count) return fail(token.offset, "COUNT() must be the only item selected");
        advance();
        Query sub;
        if (!parse_query(sub, /*top_level=*/false)) return false;
        if (!expect(TokenKind::rparen)) return false;
        q.select.push_back({SelectItem::Kind::subquery, {}, q.subqueries.size()});
        q.subqueries.push_back(std::move(sub));
      } else if (token.kind == TokenKind::identifier && peek(1).kind == TokenKind::lparen) {
        if (!parse_select_function(q)) return false;
      } else if (is_keyword(token, "TYPEOF")) {
        return unsupported(token.offset, "TYPEOF");
      } else if (is_name(token)) {
        if (q.count) return fail(token.offset, "COUNT() must be the only item selected");
        q.select.push_back({SelectItem::Kind::field, field_ref(advance()), 0});
      } else {
        return unexpected(token);
      }
      if (peek().kind != TokenKind::comma) return true;
      advance();
    }
  }

  bool parse_select_function(Query& q) {
    const Token& name = peek();
    std::string function = upper(name.text);
    if (function == "COUNT" && peek(2).kind == TokenKind::rparen) {
      if (q.count || !q.select.empty()) {
        return fail(name.offset, "COUNT() must be the only item selected");
      }
      advance();
      advance();
      advance();
      q.count = true;
      q.count_offset = name.offset;
      return true;
    }
    if (function == "COUNT" || function == "COUNT_DISTINCT" || function == "SUM" ||
        function == "AVG" || function == "MIN" || function == "MAX") {
      return unsupported(name.offset, "The aggregate function " + function + "()");
    }
    return unsupported(name.offset, "The function " + function + "()");
  }

  bool parse_clauses(Query& q) {
    if (is_keyword(peek(), "USING")) return unsupported(peek().offset, "USING SCOPE");
    if (is_keyword(peek(), "WHERE")) {
      advance();
      Condition where;
      if (!parse_logical(where, 0)) return false;
      q.where = std::move(where);
      q.where_end = peek().offset;
    }
    if (is_keyword(peek(), "WITH")) return unsupported(peek().offset, "WITH");
    if (is_keyword(peek(), "GROUP")) return unsupported(peek().offset, "GROUP BY");
    if (is_keyword(peek(), "HAVING")) return unsupported(peek().offset, "HAVING");
    if (is_keyword(peek(), "ORDER")) {
      advance();
      if (!expect_keyword("BY") || !parse_order_by(q)) return false;
    }
    if (is_keyword(peek(), "LIMIT")) {
      advance();
      int64_t limit = 0;
      if (!parse_count(limit)) return false;
      q.limit = limit;
    }
    if (is_keyword(peek(), "OFFSET")) {
      advance();
      q.offset_offset = peek().offset;
      int64_t offset = 0;
      if (!parse_count(offset)) return false;
      q.offset = offset;
    }
    if (is_keyword(peek(), "FOR")) return unsupported(peek().offset, "FOR VIEW/REFERENCE/UPDATE");
    if (is_keyword(peek(), "UPDATE")) return unsupported(peek().offset, "UPDATE TRACKING/VIEWSTAT");
    if (is_keyword(peek(), "ALL")) return unsupported(peek().offset, "ALL ROWS");
    return true;
  }

  // A non-negative 32-bit integer literal (LIMIT, OFFSET, LAST_N_DAYS:n).
  bool parse_count(int64_t& out) {
    const Token& token = peek();
    if (token.kind == TokenKind::colon) {
      return fail(token.offset, "Bind variables only allowed in Apex code");
    }
    if (token.kind != TokenKind::number || token.text.find('.') != std::string_view::npos ||
        token.text[0] == '-' || token.text[0] == '+') {
      return unexpected(token);
    }
    int64_t value = 0;
    for (char c : token.text) {
      value = value * 10 + (c - '0');
      if (value > std::numeric_limits<int32_t>::max()) {
        return fail(token.offset, "numeric value out of range: " + printable(token.text, 40));
      }
    }
    advance();
    out = value;
    return true;
  }

  bool parse_order_by(Query& q) {
    while (true) {
      const Token& token = peek();
      if (token.kind == TokenKind::identifier && peek(1).kind == TokenKind::lparen) {
        return unsupported(token.offset, "ORDER BY a function");
      }
      if (!is_name(token)) return unexpected(token);
      OrderItem item;
      item.field = field_ref(advance());
      if (is_keyword(peek(), "ASC")) {
        advance();
      } else if (is_keyword(peek(), "DESC")) {
        advance();
        item.descending = true;
      }
      if (is_keyword(peek(), "NULLS")) {
        advance();
        if (is_keyword(peek(), "FIRST")) {
          item.nulls = OrderItem::Nulls::first;
        } else if (is_keyword(peek(), "LAST")) {
          item.nulls = OrderItem::Nulls::last;
        } else {
          return unexpected(peek());
        }
        advance();
      }
      q.order_by.push_back(std::move(item));
      if (peek().kind != TokenKind::comma) return true;
      advance();
    }
  }

  // logicalExpression: NOT cond | cond (AND cond)* | cond (OR cond)*. AND and OR do not mix
  // without parentheses: the caller meets the other operator and reports it as unexpected.
  bool parse_logical(Condition& out, int depth) {
    if (is_keyword(peek(), "NOT")) {
      advance();
      Condition operand;
      if (!parse_conditional(operand, depth)) return false;
      out.kind = Condition::Kind::not_;
      out.operands.push_back(std::move(operand));
      return true;
    }
    Condition first;
    if (!parse_conditional(first, depth)) return false;
    bool is_and = is_keyword(peek(), "AND");
    if (!is_and && !is_keyword(peek(), "OR")) {
      out = std::move(first);
      return true;
    }
    out.kind = is_and ? Condition::Kind::and_ : Condition::Kind::or_;
    out.operands.push_back(std::move(first));
    while (is_keyword(peek(), is_and ? "AND" : "OR")) {
      advance();
      Condition next;
      if (!parse_conditional(next, depth)) return false;
      out.operands.push_back(std::move(next));
    }
    return true;
  }

  bool parse_conditional(Condition& out, int depth) {
    if (peek().kind != TokenKind::lparen) {
      out.kind = Condition::Kind::comparison;
      return parse_comparison(out.comparison);
    }
    if (depth >= limits_.max_nesting) {
      return fail(peek().offset,
                  "Query is too complicated: conditions are nested more than " +
                      std::to_string(limits_.max_nesting) + " levels deep",
                  kTooComplicated);
    }
    advance();
    if (!parse_logical(out, depth + 1)) return false;
    return expect(TokenKind::rparen);
  }

  bool parse_comparison(Comparison& out) {
    const Token& field = peek();
    if (field.kind == TokenKind::identifier && peek(1).kind == TokenKind::lparen) {
      return unsupported(field.offset, "The function " + upper(field.text) + "()");
    }
    if (!is_name(field)) return unexpected(field);
    out.field = field_ref(advance());
    const Token& op = peek();
    out.op_offset = op.offset;
    if (op.kind == TokenKind::op) {
      static constexpr std::array<std::pair<std::string_view, CompareOp>, 7> kOps = {{
          {"=", CompareOp::eq},
          {"!=", CompareOp::ne},
          {"<>", CompareOp::ne},
          {"<", CompareOp::lt},
          {"<=", CompareOp::le},
          {">", CompareOp::gt},
          {">=", CompareOp::ge},
      }};
      for (const auto& [text, value] : kOps) {
        if (op.text == text) out.op = value;
      }
      advance();
      return parse_single_value(out);
    }
    if (is_keyword(op, "LIKE")) {
      out.op = CompareOp::like;
      advance();
      return parse_single_value(out);
    }
    if (is_keyword(op, "IN")) {
      out.op = CompareOp::in;
      advance();
      return parse_value_list(out, "IN");
    }
    if (is_keyword(op, "NOT")) {
      advance();
      if (!expect_keyword("IN")) return false;
      out.op = CompareOp::not_in;
      return parse_value_list(out, "NOT IN");
    }
    if (is_keyword(op, "INCLUDES") || is_keyword(op, "EXCLUDES")) {
      return unsupported(op.offset, upper(op.text) + " (multi-select picklists)");
    }
    return unexpected(op);
  }

  bool parse_single_value(Comparison& out) {
    Literal value;
    if (!parse_value(value)) return false;
    out.values.push_back(std::move(value));
    return true;
  }

  bool parse_value_list(Comparison& out, std::string_view op) {
    const Token& open = peek();
    if (open.kind == TokenKind::colon) {
      return fail(open.offset, "Bind variables only allowed in Apex code");
    }
    if (!expect(TokenKind::lparen)) return false;
    if (is_keyword(peek(), "SELECT")) {
      return unsupported(peek().offset, "A semi-join or anti-join (IN (SELECT ...))");
    }
    if (peek().kind == TokenKind::rparen) {
      // Salesforce (Summer '24): "unexpected token: 'ParentId IN ()'".
      return fail(open.offset, "unexpected token: '" + printable(out.field.text()) + " " +
                                   std::string(op) + " ()'");
    }
    while (true) {
      Literal value;
      if (!parse_value(value)) return false;
      out.values.push_back(std::move(value));
      if (peek().kind == TokenKind::rparen) {
        advance();
        return true;
      }
      if (!expect(TokenKind::comma)) return false;
    }
  }

  bool parse_value(Literal& out) {
    const Token& token = peek();
    out.offset = token.offset;
    if (!count_value(token.offset)) return false;
    switch (token.kind) {
      case TokenKind::colon:
        return fail(token.offset, "Bind variables only allowed in Apex code");
      case TokenKind::string:
        out.kind = Literal::Kind::string;
        decode_string_literal(token.text, out.text, out.like_pattern);
        if (code_point_count(out.text) > limits_.max_string_characters) {
          return fail(token.offset, "String literal is longer than " +
                                        std::to_string(limits_.max_string_characters) +
                                        " characters");
        }
        break;
      case TokenKind::number:
        out.kind = Literal::Kind::number;
        out.text = std::string(token.text);
        break;
      case TokenKind::date:
        if (!parse_soql_date(token.text)) {
          return fail(token.offset, "Invalid date: " + printable(token.text, 40));
        }
        out.kind = Literal::Kind::date;
        out.text = std::string(token.text);
        break;
      case TokenKind::datetime:
        if (!parse_soql_datetime(token.text)) {
          return fail(token.offset, "Invalid datetime: " + printable(token.text, 40));
        }
        out.kind = Literal::Kind::datetime;
        out.text = std::string(token.text);
        break;
      case TokenKind::identifier:
        return parse_word_value(out);
      default:
        return unexpected(token);
    }
    advance();
    return true;
  }

  // NULL, TRUE, FALSE and the relative date literals (TODAY, LAST_N_DAYS:n, ...).
  bool parse_word_value(Literal& out) {
    const Token& token = peek();
    std::string word = upper(token.text);
    if (word == "NULL") {
      out.kind = Literal::Kind::null;
    } else if (word == "TRUE" || word == "FALSE") {
      out.kind = Literal::Kind::boolean;
      out.boolean = word == "TRUE";
    } else if (is_relative_date_literal(word)) {
      out.kind = Literal::Kind::date_literal;
      out.text = word;
      if (relative_date_literal_takes_n(word)) {
        advance();
        if (!expect(TokenKind::colon)) return false;
        return parse_count(out.n);
      }
    } else if (is_fiscal_date_literal(word) || (word.starts_with("N_") && word.ends_with("_AGO"))) {
      return unsupported(token.offset, "The date literal " + word);
    } else {
      return unexpected(token);
    }
    advance();
    return true;
  }

  std::string_view soql_;
  std::vector<Token> tokens_;
  ParseLimits limits_;
  size_t pos_ = 0;
  size_t values_ = 0;
  SoqlError error_;
};

}  // namespace

SoqlResult<Query> parse_soql(std::string_view soql, const ParseLimits& limits) {
  // The length check comes first and costs one pass: nothing else looks at an oversized
  // statement. Salesforce counts characters; so do we (a byte that is not UTF-8 counts as one).
  if (soql.size() > limits.max_characters &&
      (soql.size() > 4 * limits.max_characters || code_point_count(soql) > limits.max_characters)) {
    std::string text = "Query is too long: SOQL statements are limited to " +
                       std::to_string(limits.max_characters) + " characters";
    // Points at the first character beyond the limit.
    size_t at = 0;
    for (size_t chars = 0; at < soql.size() && chars < limits.max_characters; ++chars) {
      size_t n = utf8_sequence_length(soql, at);
      at += n == 0 ? 1 : n;
    }
    return SoqlError{std::string(kTooComplicated), text, static_cast<uint32_t>(at), text};
  }
  if (!is_valid_utf8(soql)) {
    size_t at = 0;
    while (at < soql.size()) {
      size_t n = utf8_sequence_length(soql, at);
      if (n == 0) break;
      at += n;
    }
    std::string_view text = "the query is not valid UTF-8";
    return SoqlError{std::string(kMalformed), query_error_message(soql, at, text),
                     static_cast<uint32_t>(at), std::string(text)};
  }
  auto tokens = lex_soql(soql);
  if (!tokens) return tokens.error();
  return Parser(soql, std::move(*tokens), limits).run();
}

}  // namespace pe::soql
