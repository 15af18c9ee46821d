// Fused AdamW update over many parameters in one pass (see blas.cc's `adamw` binding).
// Compiled WITHOUT -ffast-math or -mfma: every float32 operation is rounded exactly as the
// tfjs op sequence in src/core/training/adamw.ts rounds it (same operations, same order, no
// contraction), so the native and tfjs paths agree to the last bit except for the clipping
// norm's summation order.
#include <cmath>
#include <cstdint>

#include "adamw.h"

float tl_adamw_sumsq(const TlAdamwParam* ps, int64_t count) {
  // float32 throughout, parameter by parameter, as tf.addN(grads.map(g => tf.sum(tf.square(g)))).
  float total = 0.0f;
  for (int64_t j = 0; j < count; ++j) {
    const TlAdamwParam& q = ps[j];
    float s = 0.0f;
    for (int64_t i = 0; i < q.n; ++i) {
      const float g = q.mask ? q.g[i] * q.mask[i] : q.g[i];
      s += g * g;
    }
    total += s;
  }
  return total;
}

float tl_adamw_update(const TlAdamwParam* ps, int64_t count, const TlAdamwHyper& h) {
  const float b1 = static_cast<float>(h.beta1);
  const float b2 = static_cast<float>(h.beta2);
  const float c1 = static_cast<float>(1.0 - h.beta1);
  const float c2 = static_cast<float>(1.0 - h.beta2);
  const float bc1 = static_cast<float>(h.bc1);
  const float bc2 = static_cast<float>(h.bc2);
  const float eps = static_cast<float>(h.eps);
  const float lr = static_cast<float>(h.lr);
  const float decay = static_cast<float>(1.0 - h.lr * h.weight_decay);
  float scale = 1.0f;
  if (h.clip > 0.0) {
    // factor = clip / max(norm, clip), each step rounded to float32 like the tfjs ops.
    const float clip = static_cast<float>(h.clip);
    const float norm = std::sqrt(tl_adamw_sumsq(ps, count));
    scale = clip / (norm > clip ? norm : clip);
  }
  for (int64_t j = 0; j < count; ++j) {
    const TlAdamwParam& q = ps[j];
    const bool wd = q.decay && h.weight_decay > 0.0;
    float* __restrict p = q.p;
    float* __restrict m = q.m;
    float* __restrict v = q.v;
    const float* __restrict g0 = q.g;
    const float* __restrict mk = q.mask;
    for (int64_t i = 0; i < q.n; ++i) {
      float g = mk ? g0[i] * mk[i] : g0[i];
      if (h.clip > 0.0) g = g * scale;
      float mi = m[i] * b1 + g * c1;
      float vi = v[i] * b2 + (g * g) * c2;
      if (mk) {
        mi = mi * mk[i];
        vi = vi * mk[i];
      }
      m[i] = mi;
      v[i] = vi;
      const float upd = (mi / bc1) / (std::sqrt(vi / bc2) + eps);
      float next = wd ? p[i] * decay : p[i];
      next = next - upd * lr;
      if (mk) next = next * mk[i];
      p[i] = next;
    }
  }
  return scale;
}
