#include "kapal/io/xlsx_writer.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>

namespace kapal::io {
namespace {

constexpr std::size_t kMaxRows = 1048576;
constexpr std::size_t kMaxCols = 16384;
constexpr std::size_t kMaxCellChars = 32767;
constexpr std::size_t kMaxInlineList = 255;
constexpr const char* kListSheet = "kapal_lists";

// Display width of the longest line of a cell, in code points.
std::size_t text_width(const std::string& s) {
    std::size_t best = 0;
    std::size_t cur = 0;
    for (const char c : s) {
        if (c == '\n') {
            best = std::max(best, cur);
            cur = 0;
        } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
            ++cur;
        }
    }
    return std::max(best, cur);
}

std::size_t code_points(const std::string& s) {
    std::size_t n = 0;
    for (const char c : s) {
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    }
    return n;
}

std::string cell_name(std::size_t row, std::size_t col) {
    std::array<char, 32> buf{};
    lxw_rowcol_to_cell(buf.data(), static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col));
    return buf.data();
}

// Checks everything libxlsxwriter would refuse (it would print a warning to stderr) first.
Result<void> validate(const std::vector<XlsxSheet>& sheets) {
    if (sheets.empty()) {
        return fail(ErrorCode::InvalidArgument, "a workbook needs at least one sheet");
    }
    std::set<std::string> seen;
    for (const auto& sheet : sheets) {
        const std::size_t len = code_points(sheet.name);
        if (len == 0 || len > 31 || sheet.name.find_first_of("[]:*?/\\") != std::string::npos ||
            sheet.name.front() == '\'' || sheet.name.back() == '\'') {
            return fail(ErrorCode::InvalidArgument,
                        "invalid sheet name '" + sheet.name +
                            "' (1-31 characters, none of []:*?/\\, no leading or trailing ')");
        }
        std::string folded = sheet.name;
        std::transform(folded.begin(), folded.end(), folded.begin(), [](unsigned char c) {
            return static_cast<char>(std::tolower(c));
        });
        if (!seen.insert(folded).second || folded == kListSheet) {
            return fail(ErrorCode::InvalidArgument, "duplicate sheet name '" + sheet.name + "'");
        }
        if (sheet.rows.size() + 1 > kMaxRows) {
            return fail(ErrorCode::InvalidArgument,
                        "sheet '" + sheet.name + "' has more rows than Excel allows");
        }
        auto check_row = [&](const std::vector<std::string>& row, std::size_t r) -> Result<void> {
            if (row.size() > kMaxCols) {
                return fail(ErrorCode::InvalidArgument,
                            "sheet '" + sheet.name + "' row " + std::to_string(r + 1) +
                                " has more than 16384 cells");
            }
            for (std::size_t c = 0; c < row.size(); ++c) {
                if (code_points(row[c]) > kMaxCellChars) {
                    return fail(ErrorCode::InvalidArgument,
                                "sheet '" + sheet.name + "' cell " + cell_name(r, c) +
                                    " is longer than Excel's 32767 characters");
                }
            }
            return {};
        };
        KAPAL_TRY(check_row(sheet.header, 0));
        for (std::size_t r = 0; r < sheet.rows.size(); ++r) {
            KAPAL_TRY(check_row(sheet.rows[r], r + 1));
        }
        for (const auto& d : sheet.dropdowns) {
            if (d.column >= kMaxCols || d.values.empty()) {
                return fail(ErrorCode::InvalidArgument,
                            "sheet '" + sheet.name + "': a dropdown needs a column and values");
            }
            for (const auto& v : d.values) {
                if (v.empty() || code_points(v) > 255) {
                    return fail(ErrorCode::InvalidArgument,
                                "sheet '" + sheet.name +
                                    "': dropdown entries must be 1-255 characters");
                }
            }
        }
    }
    return {};
}

unexpected<Error> lxw_fail(lxw_error e, const std::string& what) {
    return fail(ErrorCode::Io, what + ": " + lxw_strerror(e));
}

class Workbook {
  public:
    explicit Workbook(const std::string& path)
        : path_(path) {
        lxw_workbook_options opt{};
        opt.use_zip64 = LXW_FALSE;
        wb_ = workbook_new_opt(path.c_str(), &opt);
    }

    ~Workbook() {
        if (wb_ != nullptr) {
            workbook_close(wb_);
            std::remove(path_.c_str()); // only reached on failure: leave no half file
        }
    }

    Workbook(const Workbook&) = delete;
    Workbook& operator=(const Workbook&) = delete;
    Workbook(Workbook&&) = delete;
    Workbook& operator=(Workbook&&) = delete;

    lxw_workbook* get() const { return wb_; }

    Result<void> close() {
        const lxw_error e = workbook_close(wb_);
        wb_ = nullptr;
        if (e != LXW_NO_ERROR) {
            std::remove(path_.c_str());
            return lxw_fail(e, "cannot write '" + path_ + "'");
        }
        return {};
    }

  private:
    std::string path_;
    lxw_workbook* wb_ = nullptr;
};

bool is_number_column(const XlsxSheet& sheet, std::size_t c) {
    return std::find(sheet.number_columns.begin(), sheet.number_columns.end(), c) !=
           sheet.number_columns.end();
}

/// The number a cell's text is wholly: an optional minus, digits, an optional point and digits.
std::optional<double> number_of(const std::string& text) {
    std::size_t i = text.empty() || text[0] != '-' ? 0 : 1;
    const std::size_t digits_from = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
        ++i;
    }
    if (i == digits_from) {
        return std::nullopt;
    }
    if (i < text.size() && text[i] == '.') {
        const std::size_t after = ++i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
            ++i;
        }
        if (i == after) {
            return std::nullopt;
        }
    }
    if (i != text.size() || text.size() > 20) {
        return std::nullopt;
    }
    return std::strtod(text.c_str(), nullptr);
}

} // namespace

Result<void> write_xlsx(const std::string& path, const std::vector<XlsxSheet>& sheets) {
    KAPAL_TRY(validate(sheets));
    {
        // libxlsxwriter reports an unwritable path on stderr; find out first, quietly.
        std::ofstream probe(path, std::ios::binary | std::ios::trunc);
        if (!probe.is_open()) {
            return fail(ErrorCode::Io, "cannot write '" + path + "'");
        }
    }
    Workbook book(path);
    lxw_workbook* wb = book.get();
    if (wb == nullptr) {
        return fail(ErrorCode::Io, "cannot create workbook '" + path + "'");
    }
    lxw_format* text = workbook_add_format(wb);
    format_set_num_format_index(text, 49); // built-in "@" (Text)
    lxw_format* bold = workbook_add_format(wb);
    format_set_num_format_index(bold, 49);
    format_set_bold(bold);

    lxw_worksheet* lists = nullptr;
    lxw_col_t list_col = 0;

    for (const auto& sheet : sheets) {
        lxw_worksheet* ws = workbook_add_worksheet(wb, sheet.name.c_str());
        if (ws == nullptr) {
            return fail(ErrorCode::InvalidArgument, "cannot add sheet '" + sheet.name + "'");
        }
        std::size_t cols = sheet.header.size();
        for (const auto& row : sheet.rows) {
            cols = std::max(cols, row.size());
        }
        std::vector<std::size_t> width(cols, 0);
        auto write_row = [&](const std::vector<std::string>& row,
                             std::size_t r,
                             lxw_format* fmt) -> Result<void> {
            for (std::size_t c = 0; c < row.size(); ++c) {
                width[c] = std::max(width[c], text_width(row[c]));
                if (row[c].empty()) {
                    continue;
                }
                const auto value =
                    r > 0 && is_number_column(sheet, c) ? number_of(row[c]) : std::nullopt;
                const lxw_error e = value ? worksheet_write_number(ws,
                                                                   static_cast<lxw_row_t>(r),
                                                                   static_cast<lxw_col_t>(c),
                                                                   *value,
                                                                   nullptr)
                                          : worksheet_write_string(ws,
                                                                   static_cast<lxw_row_t>(r),
                                                                   static_cast<lxw_col_t>(c),
                                                                   row[c].c_str(),
                                                                   fmt);
                if (e != LXW_NO_ERROR) {
                    return lxw_fail(e, "sheet '" + sheet.name + "' cell " + cell_name(r, c));
                }
            }
            return {};
        };
        KAPAL_TRY(write_row(sheet.header, 0, bold));
        for (std::size_t r = 0; r < sheet.rows.size(); ++r) {
            KAPAL_TRY(write_row(sheet.rows[r], r + 1, text));
        }
        for (std::size_t c = 0; c < cols; ++c) {
            const double w = static_cast<double>(std::clamp<std::size_t>(width[c] + 2, 6, 60));
            worksheet_set_column(ws,
                                 static_cast<lxw_col_t>(c),
                                 static_cast<lxw_col_t>(c),
                                 w,
                                 is_number_column(sheet, c) ? nullptr : text);
        }
        if (!sheet.header.empty()) {
            worksheet_freeze_panes(ws, 1, 0);
            if (cols > 0) {
                worksheet_autofilter(ws,
                                     0,
                                     0,
                                     static_cast<lxw_row_t>(sheet.rows.size()),
                                     static_cast<lxw_col_t>(cols - 1));
            }
        }
        for (const auto& d : sheet.dropdowns) {
            lxw_data_validation dv{};
            dv.validate = LXW_VALIDATION_TYPE_LIST;
            dv.ignore_blank = LXW_VALIDATION_ON;
            dv.dropdown = LXW_VALIDATION_ON;
            std::size_t list_len = 0;
            for (const auto& v : d.values) {
                list_len += v.size() + 1;
            }
            std::vector<char*> items;
            std::string formula;
            if (list_len - 1 <= kMaxInlineList) {
                for (const auto& v : d.values) {
                    items.push_back(const_cast<char*>(v.c_str())); // libxlsxwriter copies
                }
                items.push_back(nullptr);
                dv.value_list = items.data();
            } else {
                // Too long for an inline list: put the values on a hidden sheet.
                if (lists == nullptr) {
                    lists = workbook_add_worksheet(wb, kListSheet);
                    if (lists == nullptr) {
                        return fail(ErrorCode::Internal, "cannot add the list sheet");
                    }
                    worksheet_hide(lists);
                }
                for (std::size_t i = 0; i < d.values.size(); ++i) {
                    worksheet_write_string(
                        lists, static_cast<lxw_row_t>(i), list_col, d.values[i].c_str(), text);
                }
                const std::string first = cell_name(0, list_col);
                const std::string last = cell_name(d.values.size() - 1, list_col);
                auto absolute = [](const std::string& cell) {
                    const auto digit = cell.find_first_of("0123456789");
                    return "$" + cell.substr(0, digit) + "$" + cell.substr(digit);
                };
                formula =
                    std::string("=") + kListSheet + "!" + absolute(first) + ":" + absolute(last);
                dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
                dv.value_formula = formula.data();
                ++list_col;
            }
            const std::size_t last_row =
                std::min(kMaxRows - 1, std::max(d.rows, sheet.rows.size()));
            const lxw_error e = worksheet_data_validation_range(ws,
                                                                1,
                                                                static_cast<lxw_col_t>(d.column),
                                                                static_cast<lxw_row_t>(last_row),
                                                                static_cast<lxw_col_t>(d.column),
                                                                &dv);
            if (e != LXW_NO_ERROR) {
                return lxw_fail(e, "sheet '" + sheet.name + "' dropdown");
            }
        }
    }
    return book.close();
}

} // namespace kapal::io
