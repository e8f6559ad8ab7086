#include "common/csv.hpp"

namespace pe {

void CsvWriter::field(std::string_view value) {
  bool quote = !value.empty() && (value.front() == ' ' || value.back() == ' ');
  for (char c : value) {
    if (c == delimiter_ || c == '"' || c == '\n' || c == '\r') {
      quote = true;
      break;
    }
  }
  if (!quote) {
    text_.append(value);
    return;
  }
  text_.push_back('"');
  for (char c : value) {
    if (c == '"') text_.push_back('"');
    text_.push_back(c);
  }
  text_.push_back('"');
}

void CsvWriter::row(std::span<const std::string_view> fields) {
  if (fields.size() == 1 && fields[0].empty()) {
    text_.append("\"\"");  // a bare empty line would read as no row at all
    text_.append(line_ending_);
    ++rows_;
    return;
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) text_.push_back(delimiter_);
    field(fields[i]);
  }
  text_.append(line_ending_);
  ++rows_;
}

void CsvWriter::row(const std::vector<std::string>& fields) {
  if (fields.size() == 1 && fields[0].empty()) {
    text_.append("\"\"");  // a bare empty line would read as no row at all
    text_.append(line_ending_);
    ++rows_;
    return;
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) text_.push_back(delimiter_);
    field(fields[i]);
  }
  text_.append(line_ending_);
  ++rows_;
}

namespace {

Error csv_error(size_t row, size_t column, std::string_view problem) {
  return Error{Errc::invalid_argument, "row " + std::to_string(row) + ", column " +
                                           std::to_string(column) + ": " + std::string(problem)};
}

}  // namespace

Result<CsvTable> parse_csv(std::string_view text, char delimiter, CsvLimits limits) {
  CsvTable table;
  std::vector<std::string> row;
  std::string value;
  size_t row_number = 1;
  size_t i = 0;
  const size_t n = text.size();
  if (n == 0) return Error{Errc::invalid_argument, "the CSV has no header row"};

  auto finish_row = [&]() -> Result<void> {
    if (table.header.empty() && row_number == 1) {
      table.header = std::move(row);
    } else {
      if (row.size() != table.header.size()) {
        return csv_error(row_number, row.size(),
                         "the row has " + std::to_string(row.size()) + " fields, the header " +
                             std::to_string(table.header.size()));
      }
      if (table.rows.size() >= limits.max_rows) {
        return csv_error(row_number, 1, "more than " + std::to_string(limits.max_rows) + " rows");
      }
      table.rows.push_back(std::move(row));
    }
    row.clear();
    ++row_number;
    return {};
  };

  while (i < n) {
    value.clear();
    size_t column = row.size() + 1;
    if (column > limits.max_columns) {
      return csv_error(row_number, column,
                       "more than " + std::to_string(limits.max_columns) + " columns");
    }
    bool quoted = text[i] == '"';
    if (quoted) {
      ++i;
      bool closed = false;
      while (i < n) {
        if (text[i] == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            value.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        value.push_back(text[i++]);
        if (value.size() > limits.max_field) {
          return csv_error(
              row_number, column,
              "a field is longer than " + std::to_string(limits.max_field) + " characters");
        }
      }
      if (!closed) return csv_error(row_number, column, "unterminated quoted field");
      if (i < n && text[i] != delimiter && text[i] != '\n' && text[i] != '\r') {
        return csv_error(row_number, column, "text after a closing quote");
      }
    } else {
      while (i < n && text[i] != delimiter && text[i] != '\n' && text[i] != '\r') {
        if (text[i] == '"')
          return csv_error(row_number, column, "a quote inside an unquoted field");
        value.push_back(text[i++]);
        if (value.size() > limits.max_field) {
          return csv_error(
              row_number, column,
              "a field is longer than " + std::to_string(limits.max_field) + " characters");
        }
      }
    }
    row.push_back(value);
    if (i >= n) break;
    if (text[i] == delimiter) {
      ++i;
      if (i == n) row.emplace_back();  // a trailing delimiter ends with an empty field
      continue;
    }
    // End of line: LF or CRLF (a lone CR too). An empty line is skipped.
    if (text[i] == '\r') ++i;
    if (i < n && text[i] == '\n') ++i;
    if (row.size() == 1 && row[0].empty() && !quoted) {
      row.clear();
      ++row_number;
      continue;
    }
    auto done = finish_row();
    if (!done) return done.error();
  }
  if (!row.empty()) {
    auto done = finish_row();
    if (!done) return done.error();
  }
  if (table.header.empty()) return Error{Errc::invalid_argument, "the CSV has no header row"};
  return table;
}

char csv_delimiter(std::string_view name) {
  if (name == "COMMA") return ',';
  if (name == "BACKQUOTE") return '`';
  if (name == "CARET") return '^';
  if (name == "PIPE") return '|';
  if (name == "SEMICOLON") return ';';
  if (name == "TAB") return '\t';
  return 0;
}

}  // namespace pe
