// Fused AdamW kernel shared by blas.cc (binding) and adamw.cc (arithmetic).
#pragma once
#include <cstdint>

struct TlAdamwParam {
  float* p;
  const float* g;
  float* m;
  float* v;
  const float* mask;  // nullptr: dense
  int64_t n;
  bool decay;
};

struct TlAdamwHyper {
  double lr, beta1, beta2, eps, weight_decay, bc1, bc2;
  double clip;  // global gradient-norm limit; <= 0: no clipping
};

// Σ over parameters of Σ (g ⊙ mask)² (accumulated in double, returned as float32).
float tl_adamw_sumsq(const TlAdamwParam* ps, int64_t count);
// One AdamW update of every parameter in place (p, m, v), gradients clipped to the global
// norm h.clip first when h.clip > 0. Returns the clipping factor applied (1 when none).
float tl_adamw_update(const TlAdamwParam* ps, int64_t count, const TlAdamwHyper& h);
