#include "kapal/card/cbor_guard.hpp"

namespace kapal::card::detail {
namespace {

class Walker {
  public:
    explicit Walker(std::span<const std::uint8_t> bytes)
        : bytes_(bytes) {}

    /// One item; false (with error_ set) when malformed.
    bool item(int depth) {
        if (depth > kMaxCborDepth) {
            return failed("nesting deeper than " + std::to_string(kMaxCborDepth));
        }
        std::uint8_t major = 0;
        std::uint64_t arg = 0;
        bool indefinite = false;
        if (!head(major, arg, indefinite)) {
            return false;
        }
        switch (major) {
        case 0:
        case 1:
            return true;
        case 2:
        case 3:
            if (indefinite) {
                return chunks(major);
            }
            return skip(arg);
        case 4:
            if (indefinite) {
                return until_break(depth, 1);
            }
            return items(depth, arg, 1);
        case 5:
            if (indefinite) {
                return until_break(depth, 2);
            }
            return items(depth, arg, 2);
        case 6:
            return item(depth + 1);
        default: // 7: simple values and floats, already consumed by head()
            if (indefinite) {
                return failed("unexpected break");
            }
            return true;
        }
    }

    bool at_end() const { return pos_ == bytes_.size(); }

    std::size_t pos() const { return pos_; }

    const std::string& error() const { return error_; }

  private:
    bool failed(std::string what) {
        error_ = what + " at byte " + std::to_string(pos_);
        return false;
    }

    std::size_t remaining() const { return bytes_.size() - pos_; }

    // Reads an initial byte and its argument. For major type 7, `indefinite` marks a break.
    bool head(std::uint8_t& major, std::uint64_t& arg, bool& indefinite) {
        if (remaining() == 0) {
            return failed("truncated item");
        }
        const std::uint8_t initial = bytes_[pos_++];
        major = static_cast<std::uint8_t>(initial >> 5);
        const std::uint8_t info = initial & 0x1F;
        indefinite = false;
        if (info < 24) {
            arg = info;
            return true;
        }
        if (info >= 28 && info <= 30) {
            --pos_;
            return failed("reserved additional information " + std::to_string(info));
        }
        if (info == 31) {
            if (major == 0 || major == 1 || major == 6) {
                --pos_;
                return failed("indefinite length on major type " + std::to_string(major));
            }
            indefinite = true;
            return true;
        }
        const std::size_t n = std::size_t{1} << (info - 24);
        if (remaining() < n) {
            return failed("truncated argument");
        }
        arg = 0;
        for (std::size_t i = 0; i < n; ++i) {
            arg = (arg << 8) | bytes_[pos_++];
        }
        return true;
    }

    bool skip(std::uint64_t n) {
        if (n > remaining()) {
            return failed("string of " + std::to_string(n) + " bytes overruns the input");
        }
        pos_ += static_cast<std::size_t>(n);
        return true;
    }

    // `per` items per entry (1 for arrays, 2 for maps); each needs at least one byte.
    bool items(int depth, std::uint64_t count, std::uint64_t per) {
        if (count > remaining() / per) {
            return failed("length " + std::to_string(count) + " overruns the input");
        }
        for (std::uint64_t i = 0; i < count * per; ++i) {
            if (!item(depth + 1)) {
                return false;
            }
        }
        return true;
    }

    bool until_break(int depth, int per) {
        for (;;) {
            if (remaining() == 0) {
                return failed("missing break");
            }
            if (bytes_[pos_] == 0xFF) {
                ++pos_;
                return true;
            }
            for (int i = 0; i < per; ++i) {
                if (!item(depth + 1)) {
                    return false;
                }
            }
        }
    }

    bool chunks(std::uint8_t major) {
        for (;;) {
            if (remaining() == 0) {
                return failed("missing break");
            }
            if (bytes_[pos_] == 0xFF) {
                ++pos_;
                return true;
            }
            std::uint8_t chunk_major = 0;
            std::uint64_t arg = 0;
            bool indefinite = false;
            if (!head(chunk_major, arg, indefinite)) {
                return false;
            }
            if (chunk_major != major || indefinite) {
                return failed("bad chunk in an indefinite-length string");
            }
            if (!skip(arg)) {
                return false;
            }
        }
    }

    std::span<const std::uint8_t> bytes_;
    std::size_t pos_ = 0;
    std::string error_;
};

} // namespace

std::string cbor_guard(std::span<const std::uint8_t> bytes) {
    Walker w(bytes);
    if (!w.item(0)) {
        return w.error();
    }
    if (!w.at_end()) {
        return std::to_string(bytes.size() - w.pos()) + " trailing bytes after the item";
    }
    return {};
}

} // namespace kapal::card::detail
