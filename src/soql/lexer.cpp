#include "soql/lexer.hpp"

#include "soql/utf8.hpp"

#include <algorithm>

namespace pe::soql {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_ident_start(char c) { return is_alpha(c) || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }
// Characters of the Apex/SOQL token set that SOQL never accepts where we meet them; Salesforce
// reports them as unexpected tokens at their position rather than as bad characters.
bool is_other_punctuation(char c) {
  return std::string_view(".@*;[]{}?&|^~/+-!%").find(c) != std::string_view::npos;
}

// The character an escape sequence \e stands for, or 0 when SOQL has no such escape. \% and \_
// stand for themselves (they matter only to LIKE).
char decode_escape(char e) {
  switch (e) {
    case '\'':
      return '\'';
    case '"':
      return '"';
    case '\\':
      return '\\';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case '%':
      return '%';
    case '_':
      return '_';
    default:
      return 0;
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view soql) : s_(soql) {}

  SoqlResult<std::vector<Token>> run() {
    std::vector<Token> tokens;
    tokens.reserve(s_.size() / 4 + 1);
    while (true) {
      while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
      if (pos_ >= s_.size()) break;
      Token token;
      token.offset = static_cast<uint32_t>(pos_);
      if (!next(token)) return error_;
      token.text = s_.substr(token.offset, pos_ - token.offset);
      tokens.push_back(std::move(token));
    }
    Token end;
    end.offset = static_cast<uint32_t>(s_.size());
    tokens.push_back(std::move(end));
    return tokens;
  }

 private:
  bool next(Token& token) {
    char c = s_[pos_];
    if (is_ident_start(c)) return identifier(token);
    if (is_digit(c)) return number_or_date(token);
    if ((c == '-' || c == '+') && pos_ + 1 < s_.size() && is_digit(s_[pos_ + 1])) {
      ++pos_;
      return number_or_date(token);
    }
    if (c == '\'') return string(token);
    switch (c) {
      case ',':
        return single(token, TokenKind::comma);
      case '(':
        return single(token, TokenKind::lparen);
      case ')':
        return single(token, TokenKind::rparen);
      case ':':
        return single(token, TokenKind::colon);
      case '=':
        return single(token, TokenKind::op);
      case '<':
        ++pos_;
        if (pos_ < s_.size() && (s_[pos_] == '=' || s_[pos_] == '>')) ++pos_;
        token.kind = TokenKind::op;
        return true;
      case '>':
        ++pos_;
        if (pos_ < s_.size() && s_[pos_] == '=') ++pos_;
        token.kind = TokenKind::op;
        return true;
      case '!':
        if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '=') {
          pos_ += 2;
          token.kind = TokenKind::op;
          return true;
        }
        return single(token, TokenKind::other);
      default:
        break;
    }
    if (is_other_punctuation(c)) return single(token, TokenKind::other);
    return bad_character();
  }

  bool single(Token& token, TokenKind kind) {
    ++pos_;
    token.kind = kind;
    return true;
  }

  // A name, with dots between parts: Account.Owner.Name.
  bool identifier(Token& token) {
    token.kind = TokenKind::identifier;
    while (true) {
      while (pos_ < s_.size() && is_ident_char(s_[pos_])) ++pos_;
      if (pos_ + 1 < s_.size() && s_[pos_] == '.' && is_ident_start(s_[pos_ + 1])) {
        ++pos_;
        continue;
      }
      return true;
    }
  }

  // 42, 4.2, or a date/datetime: four digits and '-' start one; its extent is the run of
  // characters a datetime can contain, so "2020-12-12t12:12:00-25:00" is one token that the
  // parser rejects as "Invalid datetime: ...".
  bool number_or_date(Token& token) {
    size_t start = pos_;
    while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
    bool signed_number = start != token.offset;
    if (!signed_number && pos_ - start == 4 && pos_ < s_.size() && s_[pos_] == '-') {
      token.kind = TokenKind::date;
      while (pos_ < s_.size() && (is_digit(s_[pos_]) || is_alpha(s_[pos_]) || s_[pos_] == '-' ||
                                  s_[pos_] == '+' || s_[pos_] == ':' || s_[pos_] == '.')) {
        if (s_[pos_] == 'T' || s_[pos_] == 't') token.kind = TokenKind::datetime;
        ++pos_;
      }
      return true;
    }
    token.kind = TokenKind::number;
    if (pos_ + 1 < s_.size() && s_[pos_] == '.' && is_digit(s_[pos_ + 1])) {
      ++pos_;
      while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
    }
    return true;
  }

  // 'text' with SOQL's escapes: \' \" \\ \n \r \t \b \f, and \% \_ (literal % and _ in LIKE).
  // Only checked here; decode_string_literal() decodes the ones the parser keeps.
  bool string(Token& token) {
    token.kind = TokenKind::string;
    size_t start = pos_++;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '\'') {
        ++pos_;
        return true;
      }
      if (c == '\0') return bad_character();
      if (c != '\\') {
        ++pos_;
        continue;
      }
      if (pos_ + 1 >= s_.size()) break;
      if (decode_escape(s_[pos_ + 1]) == 0) return bad_escape(start, pos_);
      pos_ += 2;
    }
    // Unterminated: Salesforce's lexer expects the closing quote at the end of the statement.
    return fail(s_.size(), "unexpected token: '<EOF>'");
  }

  bool bad_escape(size_t literal_start, size_t at) {
    size_t n = at + 1 < s_.size() ? utf8_sequence_length(s_, at + 1) : 0;
    std::string sequence = "\\" + std::string(s_.substr(at + 1, n == 0 ? 1 : n));
    size_t end = s_.find('\'', at + 1 + (n == 0 ? 1 : n));
    std::string_view literal =
        s_.substr(literal_start,
                  end == std::string_view::npos ? std::string_view::npos : end + 1 - literal_start);
    return fail(at, "Invalid string literal " + printable(literal, 100) +
                        ". Illegal character sequence '" + printable(sequence) +
                        "' in string literal.");
  }

  // Salesforce's lexer error: "line 1:15 unexpected token: '$'" (column counted from 0).
  bool bad_character() {
    size_t line_start = s_.substr(0, pos_).rfind('\n');
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    size_t line = 1;
    for (size_t i = 0; i < line_start; ++i) line += s_[i] == '\n';
    size_t column = 0;
    for (size_t i = line_start; i < pos_;) {
      size_t n = utf8_sequence_length(s_, i);
      i += n == 0 ? 1 : n;
      ++column;
    }
    size_t n = utf8_sequence_length(s_, pos_);
    std::string reason = "unexpected token: '" + printable(s_.substr(pos_, n == 0 ? 1 : n)) + "'";
    std::string message =
        "line " + std::to_string(line) + ":" + std::to_string(column) + " " + reason;
    error_ = SoqlError{"MALFORMED_QUERY", std::move(message), static_cast<uint32_t>(pos_),
                       std::move(reason)};
    return false;
  }

  // An error with Salesforce's pointer block in front of `reason`.
  bool fail(size_t offset, std::string reason) {
    error_ = SoqlError{"MALFORMED_QUERY", query_error_message(s_, offset, reason),
                       static_cast<uint32_t>(offset), reason};
    return false;
  }

  std::string_view s_;
  size_t pos_ = 0;
  SoqlError error_;
};

}  // namespace

SoqlResult<std::vector<Token>> lex_soql(std::string_view soql) { return Lexer(soql).run(); }

void decode_string_literal(std::string_view literal, std::string& value,
                           std::string& like_pattern) {
  value.clear();
  like_pattern.clear();
  std::string_view body = literal.substr(1, literal.size() - 2);  // without the quotes
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\' || i + 1 >= body.size()) {
      value += c;
      like_pattern += c;
      continue;
    }
    char e = body[++i];
    char decoded = decode_escape(e);
    value += decoded;
    // In a LIKE pattern an escaped % or _ matches itself and a literal backslash must itself
    // be escaped (ESCAPE '\'); unescaped % and _ stay wildcards.
    if (e == '%' || e == '_' || decoded == '\\') like_pattern += '\\';
    like_pattern += decoded;
  }
}

}  // namespace pe::soql
