// Broadcasting float32 add/sub/mul/div for the wasm backend's Add, Sub, Multiply, RealDiv,
// and a broadcast copy for Tile over size-1 dimensions (broadcastTo).
// The caller (src/core/kernels/binary.ts) collapses the broadcast into at most kMaxRank
// dimensions with element strides (0 = broadcast); the innermost dimension then runs as one
// of three contiguous loops the compiler vectorises. Plain IEEE float32 operations (no
// -ffast-math), so every result equals the wasm kernel's bit for bit.
#include <cstdint>

#include "binary.h"

namespace {

template <int Op>
inline float Apply(float a, float b) {
  if (Op == 0) return a + b;
  if (Op == 1) return a - b;
  if (Op == 2) return a * b;
  if (Op == 4) return a;  // broadcast copy (Tile of size-1 dims); b is ignored
  return a / b;
}

template <int Op>
void Inner(const float* __restrict a, int64_t sa, const float* __restrict b, int64_t sb,
           float* __restrict out, int64_t n) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = Apply<Op>(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float y = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = Apply<Op>(a[i], y);
  } else if (sa == 0 && sb == 1) {
    const float x = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = Apply<Op>(x, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = Apply<Op>(a[i * sa], b[i * sb]);
  }
}

template <int Op>
void Run(const float* a, const float* b, float* out, int rank, const int64_t* dims,
         const int64_t* sa, const int64_t* sb) {
  const int last = rank - 1;
  const int64_t n = dims[last];
  int64_t outer = 1;
  for (int d = 0; d < last; ++d) outer *= dims[d];
  int64_t idx[kTlBinaryMaxRank] = {0};
  int64_t ao = 0, bo = 0;
  for (int64_t r = 0; r < outer; ++r) {
    Inner<Op>(a + ao, sa[last], b + bo, sb[last], out + r * n, n);
    // Odometer over the outer dimensions, last-but-one fastest.
    for (int d = last - 1; d >= 0; --d) {
      ao += sa[d];
      bo += sb[d];
      if (++idx[d] < dims[d]) break;
      ao -= sa[d] * dims[d];
      bo -= sb[d] * dims[d];
      idx[d] = 0;
    }
  }
}

}  // namespace

void tl_binary(int op, const float* a, const float* b, float* out, int rank, const int64_t* dims,
               const int64_t* sa, const int64_t* sb) {
  switch (op) {
    case 0: Run<0>(a, b, out, rank, dims, sa, sb); break;
    case 1: Run<1>(a, b, out, rank, dims, sa, sb); break;
    case 2: Run<2>(a, b, out, rank, dims, sa, sb); break;
    case 3: Run<3>(a, b, out, rank, dims, sa, sb); break;
    default: Run<4>(a, b, out, rank, dims, sa, sb); break;
  }
}
