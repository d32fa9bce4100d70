#pragma once
// A small stand-in for std::expected (GCC 12 ships it only with -std=c++2b, and clang-tidy 14
// cannot see it). Same member names as std::expected, so swapping it later is mechanical.

#include "kapal/core/assert.hpp"
#include "kapal/core/error.hpp"

#include <type_traits>
#include <utility>
#include <variant>

namespace kapal {

/// The error side of an expected, as std::unexpected.
template <class E> class unexpected { // NOLINT(readability-identifier-naming): std name
  public:
    explicit unexpected(E error)
        : error_(std::move(error)) {}

    const E& error() const& { return error_; }

    E&& error() && { return std::move(error_); }

  private:
    E error_;
};

template <class E> unexpected(E) -> unexpected<E>;

/// A value of T or an error of E, with std::expected's interface.
template <class T, class E> class [[nodiscard]] expected { // NOLINT(readability-identifier-naming)
  public:
    using value_type = T; // NOLINT(readability-identifier-naming)
    using error_type = E; // NOLINT(readability-identifier-naming)

    expected() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}

    expected(T value)
        : v_(std::in_place_index<0>, std::move(value)) {} // NOLINT

    // The constraint excludes T and expected itself, so this never hides a copy or move.
    // NOLINTBEGIN(bugprone-forwarding-reference-overload)
    template <class U>

    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, expected>) expected(U&& value)
        : v_(std::in_place_index<0>, std::forward<U>(value)) {} // NOLINT

    // NOLINTEND(bugprone-forwarding-reference-overload)

    template <class G>
    expected(unexpected<G> error) // NOLINT
        : v_(std::in_place_index<1>, std::move(error).error()) {}

    bool has_value() const noexcept { return v_.index() == 0; }

    explicit operator bool() const noexcept { return has_value(); }

    T& value() & {
        KAPAL_ASSERT(has_value());
        return std::get<0>(v_);
    }

    const T& value() const& {
        KAPAL_ASSERT(has_value());
        return std::get<0>(v_);
    }

    T&& value() && {
        KAPAL_ASSERT(has_value());
        return std::get<0>(std::move(v_));
    }

    const E& error() const& {
        KAPAL_ASSERT(!has_value());
        return std::get<1>(v_);
    }

    E&& error() && {
        KAPAL_ASSERT(!has_value());
        return std::get<1>(std::move(v_));
    }

    T& operator*() & { return value(); }

    const T& operator*() const& { return value(); }

    T&& operator*() && { return std::move(*this).value(); }

    T* operator->() { return &value(); }

    const T* operator->() const { return &value(); }

    template <class U> T value_or(U&& fallback) const& {
        return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
    }

  private:
    std::variant<T, E> v_;
};

/// expected<void, E>: success or an error.
template <class E> class [[nodiscard]] expected<void, E> {
  public:
    using value_type = void; // NOLINT(readability-identifier-naming)
    using error_type = E;    // NOLINT(readability-identifier-naming)

    expected() = default;

    template <class G>
    expected(unexpected<G> error) // NOLINT
        : error_(std::move(error).error())
        , ok_(false) {}

    bool has_value() const noexcept { return ok_; }

    explicit operator bool() const noexcept { return ok_; }

    void value() const { KAPAL_ASSERT(ok_); }

    const E& error() const& {
        KAPAL_ASSERT(!ok_);
        return error_;
    }

    E&& error() && {
        KAPAL_ASSERT(!ok_);
        return std::move(error_);
    }

  private:
    E error_{};
    bool ok_ = true;
};

/// The project's result type: a T, or an Error from the catalogue.
template <class T> using Result = expected<T, Error>;

/// Shorthand for `unexpected(Error{code, message, {}})`.
inline unexpected<Error>
fail(ErrorCode code, std::string message = {}, std::vector<FieldIssue> fields = {}) {
    return unexpected<Error>(Error{code, std::move(message), std::move(fields)});
}

/// Passes an error on unchanged.
inline unexpected<Error> fail(Error error) {
    return unexpected<Error>(std::move(error));
}

} // namespace kapal

/// Evaluates a Result<void>-like expression and returns its error from the enclosing function.
#define KAPAL_TRY(expr)                                                                            \
    do {                                                                                           \
        if (auto kapal_try_r_ = (expr); !kapal_try_r_) {                                           \
            return ::kapal::fail(std::move(kapal_try_r_).error());                                 \
        }                                                                                          \
    } while (false)

/// Declares `var` as the value of a Result<T> expression, or returns its error from the
/// enclosing function.
// NOLINTBEGIN(bugprone-macro-parentheses): `var` is a declared name, not an expression
#define KAPAL_ASSIGN_OR_RETURN(var, expr)                                                          \
    auto var##_result_ = (expr);                                                                   \
    if (!var##_result_) {                                                                          \
        return ::kapal::fail(std::move(var##_result_).error());                                    \
    }                                                                                              \
    auto var = std::move(*var##_result_)
// NOLINTEND(bugprone-macro-parentheses)
