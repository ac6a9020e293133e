// core/tensor.hpp: fixed-capacity matrices with the shape in the type, and row views.
// Matrix<T, Rows, Cols> is row-major, 64-byte aligned, zero-initialised, and owns its storage
// inline (no heap): a static Matrix lives in .bss, a member lives inside its layer.
// View<T, Cols> is (rows x Cols) with rows chosen at run time (<= the owner's capacity), so a
// last partial batch or a batch-1 inference uses the same buffers. Rows are always contiguous.
#pragma once

#include <cstddef>
#include <span>
#include <type_traits>

#include "firmnet/core/contract.hpp"

namespace firmnet {

inline constexpr std::size_t kTensorAlign = 64;  // one cache line; also the widest SIMD register

// (rows x Cols) row-major view; T may be const.
template <class T, std::size_t Cols>
class View {
 public:
  static constexpr std::size_t kCols = Cols;

  constexpr View() = default;
  constexpr View(T* data, std::size_t rows) noexcept : data_(data), rows_(rows) {}
  // A mutable view converts to a const one.
  template <class U>
    requires std::is_same_v<const U, T>
  constexpr View(View<U, Cols> other) noexcept : data_(other.data()), rows_(other.rows()) {}

  constexpr T* data() const noexcept { return data_; }
  constexpr std::size_t rows() const noexcept { return rows_; }
  constexpr std::size_t size() const noexcept { return rows_ * Cols; }
  constexpr T* row(std::size_t r) const noexcept { return data_ + r * Cols; }
  constexpr T& operator()(std::size_t r, std::size_t c) const noexcept { return data_[r * Cols + c]; }
  constexpr std::span<T> flat() const noexcept { return {data_, rows_ * Cols}; }
  // The first `rows` rows: used to run a partial batch through full-capacity buffers.
  constexpr View first(std::size_t rows) const noexcept {
    FIRMNET_EXPECTS(rows <= rows_);
    return View(data_, rows);
  }

 private:
  T* data_ = nullptr;
  std::size_t rows_ = 0;
};

template <class T, std::size_t Cols>
using ConstView = View<const T, Cols>;

template <class T, std::size_t Rows, std::size_t Cols>
struct alignas(kTensorAlign) Matrix {
  static_assert(Rows > 0 && Cols > 0, "empty matrices are not supported");
  using value_type = T;
  static constexpr std::size_t kRows = Rows;
  static constexpr std::size_t kCols = Cols;
  static constexpr std::size_t kSize = Rows * Cols;

  T storage[kSize]{};

  constexpr T* data() noexcept { return storage; }
  constexpr const T* data() const noexcept { return storage; }
  constexpr T& operator()(std::size_t r, std::size_t c) noexcept { return storage[r * Cols + c]; }
  constexpr const T& operator()(std::size_t r, std::size_t c) const noexcept { return storage[r * Cols + c]; }
  constexpr std::span<T, kSize> flat() noexcept { return std::span<T, kSize>(storage); }
  constexpr std::span<const T, kSize> flat() const noexcept { return std::span<const T, kSize>(storage); }

  // View of the first `rows` rows (default: all).
  constexpr View<T, Cols> view(std::size_t rows = Rows) noexcept {
    FIRMNET_EXPECTS(rows <= Rows);
    return {storage, rows};
  }
  constexpr ConstView<T, Cols> view(std::size_t rows = Rows) const noexcept {
    FIRMNET_EXPECTS(rows <= Rows);
    return {storage, rows};
  }
};

// A member that exists only when a layer needs it (e.g. grad_x of a first layer):
// [[no_unique_address]] Maybe<cond, Matrix<...>> costs no bytes when cond is false.
struct Nothing {};
template <bool Present, class T>
using Maybe = std::conditional_t<Present, T, Nothing>;

}  // namespace firmnet
