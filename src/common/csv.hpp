// csv.hpp: CSV as Bulk API 2.0 speaks it (RFC 4180 with a choice of delimiter and line ending).
//
// Writing quotes a field only when it must: when it holds the delimiter, a double quote, CR or
// LF, or starts or ends with a space (some readers trim them); quotes inside are doubled. Reading
// accepts LF and CRLF line endings whatever the writer chose, quoted fields spanning lines, and
// rejects malformed input with the 1-based row and column: a quote inside an unquoted field, an
// unterminated quoted field, text after a closing quote, rows whose width differs from the
// header's, and anything over the limits.
//
//   CsvWriter csv(',', "\n");
//   csv.row({"Id", "Name"});
//   csv.row({"001...", "Acme, \"Inc\""});    // → 001...,"Acme, ""Inc"""
//   auto table = parse_csv(csv.text());         // Result<CsvTable>
//   table->header[1] == "Name"; table->rows[0][1] == "Acme, \"Inc\""
#pragma once

#include "common/error.hpp"

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pe {

class CsvWriter {
 public:
  explicit CsvWriter(char delimiter = ',', std::string_view line_ending = "\n")
      : delimiter_(delimiter), line_ending_(line_ending) {}

  void row(std::span<const std::string_view> fields);
  void row(std::initializer_list<std::string_view> fields) {
    row(std::span<const std::string_view>(fields.begin(), fields.size()));
  }
  void row(const std::vector<std::string>& fields);

  const std::string& text() const { return text_; }
  std::string take() { return std::move(text_); }
  size_t rows() const { return rows_; }

 private:
  void field(std::string_view value);

  char delimiter_;
  std::string line_ending_;
  std::string text_;
  size_t rows_ = 0;
};

struct CsvLimits {
  size_t max_rows = 10'000'000;  // data rows, the header not counted
  size_t max_columns = 5'000;    // Bulk API: 5,000 fields per record
  size_t max_field = 32'000;     // Bulk API: 32,000 characters per field
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// The first row is the header; an empty text is an error ("the CSV has no header row"). Errors
// are Errc::invalid_argument with the row and column ("row 3, column 2: unterminated quoted
// field").
Result<CsvTable> parse_csv(std::string_view text, char delimiter = ',', CsvLimits limits = {});

// Bulk API 2.0's columnDelimiter names: COMMA, BACKQUOTE, CARET, PIPE, SEMICOLON, TAB → the
// character; 0 for anything else.
char csv_delimiter(std::string_view name);

}  // namespace pe
