#include "kapal/io/csv_writer.hpp"

namespace kapal::io {
namespace {

bool is_plain_number(std::string_view s) {
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        ++i;
    }
    bool digit = false;
    bool point = false;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (c >= '0' && c <= '9') {
            digit = true;
        } else if ((c == '.' || c == ',') && !point) {
            point = true;
        } else {
            return false;
        }
    }
    return digit;
}

bool starts_formula(std::string_view s) {
    if (s.empty()) {
        return false;
    }
    const char c = s.front();
    if (c == '=' || c == '@' || c == '\t' || c == '\r') {
        return true;
    }
    return (c == '+' || c == '-') && !is_plain_number(s);
}

} // namespace

CsvWriter::CsvWriter(std::ostream& out, char separator, bool bom)
    : CsvWriter(out, CsvWriterOptions{separator, bom, false}) {}

CsvWriter::CsvWriter(std::ostream& out, CsvWriterOptions options)
    : out_(&out)
    , options_(options) {
    if (options_.bom) {
        out_->write("\xEF\xBB\xBF", 3);
    }
}

void CsvWriter::write_row(const std::vector<std::string>& row) {
    write_any(row);
}

void CsvWriter::write_row(const std::vector<std::string_view>& row) {
    write_any(row);
}

template <class Row> void CsvWriter::write_any(const Row& row) {
    line_.clear();
    // A row of empty fields would be a blank line (skipped by readers) with one field, or
    // with TAB; quote its first field so it survives.
    bool all_empty = !row.empty();
    for (const auto& f : row) {
        all_empty = all_empty && std::string_view(f).empty();
    }
    for (std::size_t i = 0; i < row.size(); ++i) {
        if (i > 0) {
            line_.push_back(options_.separator);
        }
        if (i == 0 && all_empty) {
            line_ += "\"\"";
        } else {
            write_field(row[i]);
        }
    }
    line_ += "\r\n";
    out_->write(line_.data(), static_cast<std::streamsize>(line_.size()));
}

void CsvWriter::write_field(std::string_view field) {
    const bool guard = options_.guard_formulas && starts_formula(field);
    bool quote = false;
    if (!field.empty()) {
        const char first = guard ? '\'' : field.front();
        const char last = field.back();
        quote = first == ' ' || first == '\t' || last == ' ' || last == '\t';
    }
    if (!quote) {
        for (const char c : field) {
            if (c == options_.separator || c == '"' || c == '\r' || c == '\n') {
                quote = true;
                break;
            }
        }
    }
    if (quote) {
        line_.push_back('"');
    }
    if (guard) {
        line_.push_back('\'');
    }
    if (quote) {
        for (const char c : field) {
            if (c == '"') {
                line_.push_back('"');
            }
            line_.push_back(c);
        }
        line_.push_back('"');
    } else {
        line_.append(field);
    }
}

} // namespace kapal::io
