// Broadcasting float32 binary ops (binary.cc), called from blas.cc's `binary` binding.
#pragma once
#include <cstdint>

constexpr int kTlBinaryMaxRank = 8;

// out[i] = a[.] op b[.] over `rank` (1..kTlBinaryMaxRank) output dims, row-major, with
// element strides sa / sb for the operands (0 on broadcast dims). op: 0 add, 1 sub, 2 mul, 3 div,
// 4 copy a (b unused).
void tl_binary(int op, const float* a, const float* b, float* out, int rank, const int64_t* dims,
               const int64_t* sa, const int64_t* sb);
