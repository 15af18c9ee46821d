// Fused AdamW update over many parameters in one pass (see blas.cc's `adamw` binding).
// Compiled WITHOUT -ffast-math or -mfma (and with -ffp-contract=off): every float32 operation
// of the update is rounded exactly as the tfjs op sequence in src/core/training/adamw.ts
// rounds it (same operations, same order), so the paths agree to the last bit except for the
// clipping norm's summation. -fno-math-errno only lets sqrt vectorise (no errno to set).
#include <cmath>
#include <cstdint>

#include "adamw.h"

float tl_adamw_sumsq(const TlAdamwParam* ps, int64_t count) {
  // Eight double partial sums per parameter (a vectorisable order, and more accurate than
  // tfjs's float32 sums; the factor differs from the tfjs path's only in the last bits).
  double total = 0.0;
  for (int64_t j = 0; j < count; ++j) {
    const TlAdamwParam& q = ps[j];
    double part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= q.n; i += 8)
      for (int k = 0; k < 8; ++k) {
        const float g = q.mask ? q.g[i + k] * q.mask[i + k] : q.g[i + k];
        part[k] += static_cast<double>(g) * g;
      }
    for (; i < q.n; ++i) {
      const float g = q.mask ? q.g[i] * q.mask[i] : q.g[i];
      part[0] += static_cast<double>(g) * g;
    }
    for (double p : part) total += p;
  }
  return static_cast<float>(total);
}

namespace {

struct Coeffs {
  float b1, b2, c1, c2, bc1, bc2, eps, lr, scale, decay;
};

// One parameter. Multiplying by 1.0f is exact, so `scale` (1 without clipping) and `decay`
// (1 without weight decay) are applied unconditionally and the loop has no branches; the
// masked and dense variants are separate instantiations so both vectorise.
template <bool Masked>
void Update(float* __restrict p, const float* __restrict g0, float* __restrict m, float* __restrict v,
            const float* __restrict mk, int64_t n, const Coeffs& k) {
  for (int64_t i = 0; i < n; ++i) {
    float g = Masked ? g0[i] * mk[i] : g0[i];
    g = g * k.scale;
    float mi = m[i] * k.b1 + g * k.c1;
    float vi = v[i] * k.b2 + (g * g) * k.c2;
    if (Masked) {
      mi = mi * mk[i];
      vi = vi * mk[i];
    }
    m[i] = mi;
    v[i] = vi;
    const float upd = (mi / k.bc1) / (std::sqrt(vi / k.bc2) + k.eps);
    float next = p[i] * k.decay - upd * k.lr;
    if (Masked) next = next * mk[i];
    p[i] = next;
  }
}

}  // namespace

float tl_adamw_update(const TlAdamwParam* ps, int64_t count, const TlAdamwHyper& h) {
  Coeffs k{};
  k.b1 = static_cast<float>(h.beta1);
  k.b2 = static_cast<float>(h.beta2);
  k.c1 = static_cast<float>(1.0 - h.beta1);
  k.c2 = static_cast<float>(1.0 - h.beta2);
  k.bc1 = static_cast<float>(h.bc1);
  k.bc2 = static_cast<float>(h.bc2);
  k.eps = static_cast<float>(h.eps);
  k.lr = static_cast<float>(h.lr);
  k.scale = 1.0f;
  if (h.clip > 0.0) {
    // factor = clip / max(norm, clip), each step rounded to float32 like the tfjs ops.
    const float clip = static_cast<float>(h.clip);
    const float norm = std::sqrt(tl_adamw_sumsq(ps, count));
    k.scale = clip / (norm > clip ? norm : clip);
  }
  const float decay = static_cast<float>(1.0 - h.lr * h.weight_decay);
  for (int64_t j = 0; j < count; ++j) {
    const TlAdamwParam& q = ps[j];
    k.decay = q.decay && h.weight_decay > 0.0 ? decay : 1.0f;
    if (q.mask)
      Update<true>(q.p, q.g, q.m, q.v, q.mask, q.n, k);
    else
      Update<false>(q.p, q.g, q.m, q.v, nullptr, q.n, k);
  }
  return k.scale;
}
