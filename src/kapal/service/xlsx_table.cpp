#include "kapal/service/xlsx_table.hpp"

#include "kapal/io/xlsx_reader.hpp"
#include "kapal/service/import_service.hpp"

namespace kapal::service {
namespace {

class XlsxTable final : public TableSource {
  public:
    explicit XlsxTable(io::XlsxReader reader)
        : reader_(std::move(reader)) {}

    Result<bool> next(std::vector<TableCell>& row, std::size_t& row_number) override {
        while (true) {
            auto more = reader_.next(current_);
            if (!more) {
                return fail(std::move(more).error());
            }
            if (!*more) {
                return false;
            }
            if (current_.is_blank()) {
                continue;
            }
            row.resize(current_.cells.size());
            for (std::size_t i = 0; i < current_.cells.size(); ++i) {
                auto& cell = current_.cells[i];
                row[i].text.swap(cell.text);
                row[i].number = cell.type == io::XlsxCellType::Number;
                row[i].date_format = cell.date_format;
            }
            row_number = current_.row;
            ++rows_;
            return true;
        }
    }

    std::size_t estimated_rows() const override { return 0; }

  private:
    io::XlsxReader reader_;
    io::XlsxRow current_;
    std::size_t rows_ = 0;
};

} // namespace

Result<std::unique_ptr<TableSource>> open_xlsx_table(const std::filesystem::path& file) {
    auto reader = io::XlsxReader::open(file.string());
    if (!reader) {
        return fail(std::move(reader).error());
    }
    return std::unique_ptr<TableSource>(new XlsxTable(std::move(*reader)));
}

} // namespace kapal::service
