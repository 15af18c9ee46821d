// N-API binding to OpenBLAS for the wasm backend's matmul kernels.
// It reads and writes float32 matrices in place inside the wasm heap (a Uint8Array the
// caller passes), so no tensor data is copied between JavaScript and native memory.
// Every offset is bounds-checked against the heap before BLAS touches it: a wrong offset
// becomes a JavaScript exception, never a write outside the heap.
#include <node_api.h>
#include <cblas.h>
#include <cstdint>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "adamw.h"
#include "binary.h"

#ifdef TL_HAVE_AVX2_KERNELS
extern "C" void tl_exp_avx2(const float* x, float* y, int64_t n);
extern "C" void tl_erf_avx2(const float* x, float* y, int64_t n);
#endif

namespace {

bool Fail(napi_env env, const char* msg) {
  napi_throw_error(env, nullptr, msg);
  return false;
}

// Numbers are truncated to integers; booleans read as 0/1 (transpose and relu flags).
bool GetInt(napi_env env, napi_value v, int64_t* out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_boolean) {
    bool b;
    napi_get_value_bool(env, v, &b);
    *out = b ? 1 : 0;
    return true;
  }
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return Fail(env, "expected a number");
  *out = static_cast<int64_t>(d);
  return true;
}

// Returns the data and length of a Uint8Array / Int32Array argument (null/undefined -> nullptr).
bool GetTyped(napi_env env, napi_value v, napi_typedarray_type want, void** data, size_t* len,
              bool optional) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (optional && (t == napi_null || t == napi_undefined)) {
    *data = nullptr;
    *len = 0;
    return true;
  }
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) return Fail(env, "expected a typed array");
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, len, data, &ab, &off) != napi_ok || type != want)
    return Fail(env, "typed array of the wrong type");
  return true;
}

bool InHeap(int64_t off, int64_t elems, size_t heap_len) {
  return off >= 0 && elems >= 0 && (off % 4) == 0 &&
         static_cast<uint64_t>(off) + static_cast<uint64_t>(elems) * 4 <= heap_len;
}

// Thread policy: products with m·n·k below g_small_mnk run on one thread. Waking OpenBLAS's
// workers costs more than such a product gains, and on a loaded machine a preempted worker
// stalls the caller (the training step's matmuls are mostly this small).
int g_threads = 1;       // configured count (setThreads)
int g_current = -1;      // count OpenBLAS is set to now
double g_small_mnk = 0;  // 0: OpenBLAS decides alone

void UseThreads(int n) {
  if (n != g_current) {
    openblas_set_num_threads(n);
    g_current = n;
  }
}

// matmul(heap, aOff, bOff, cOff, batch, m, n, k, transA, transB, batchA, batchB,
//        aIdx, bIdx, biasOff, relu)
// C[i] = op(A[ai]) * op(B[bi]) (+ bias row) (relu), i < batch, where ai = aIdx[i] when
// aIdx is given, else (batchA == 1 ? 0 : i); likewise bi. Offsets are bytes into heap.
napi_value Matmul(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 16) {
    Fail(env, "matmul expects 16 arguments");
    return nullptr;
  }
  void* heap_p;
  size_t heap_len;
  if (!GetTyped(env, argv[0], napi_uint8_array, &heap_p, &heap_len, false)) return nullptr;
  int64_t v[10];
  for (int i = 0; i < 10; ++i)
    if (!GetInt(env, argv[1 + i], &v[i])) return nullptr;
  const int64_t a_off = v[0], b_off = v[1], c_off = v[2], batch = v[3], m = v[4], n = v[5],
                k = v[6];
  const bool trans_a = v[7] != 0, trans_b = v[8] != 0;
  const int64_t batch_a = v[9];
  int64_t batch_b, bias_off, relu;
  if (!GetInt(env, argv[11], &batch_b)) return nullptr;
  void* a_idx_p;
  void* b_idx_p;
  size_t a_idx_len, b_idx_len;
  if (!GetTyped(env, argv[12], napi_int32_array, &a_idx_p, &a_idx_len, true)) return nullptr;
  if (!GetTyped(env, argv[13], napi_int32_array, &b_idx_p, &b_idx_len, true)) return nullptr;
  if (!GetInt(env, argv[14], &bias_off) || !GetInt(env, argv[15], &relu)) return nullptr;

  const int64_t lim = INT32_MAX;
  if (batch < 0 || m < 0 || n < 0 || k < 0 || m > lim || n > lim || k > lim || batch_a < 1 ||
      batch_b < 1) {
    Fail(env, "matmul: bad dimensions");
    return nullptr;
  }
  if (batch == 0 || m == 0 || n == 0) return nullptr;  // empty output: nothing to write
  const auto* a_idx = static_cast<const int32_t*>(a_idx_p);
  const auto* b_idx = static_cast<const int32_t*>(b_idx_p);
  if ((a_idx && a_idx_len != static_cast<size_t>(batch)) ||
      (b_idx && b_idx_len != static_cast<size_t>(batch))) {
    Fail(env, "matmul: index array length must equal batch");
    return nullptr;
  }
  for (int64_t i = 0; a_idx && i < batch; ++i)
    if (a_idx[i] < 0 || a_idx[i] >= batch_a) return Fail(env, "matmul: aIdx out of range"), nullptr;
  for (int64_t i = 0; b_idx && i < batch; ++i)
    if (b_idx[i] < 0 || b_idx[i] >= batch_b) return Fail(env, "matmul: bIdx out of range"), nullptr;
  if (!a_idx && batch_a != 1 && batch_a != batch) return Fail(env, "matmul: batchA mismatch"), nullptr;
  if (!b_idx && batch_b != 1 && batch_b != batch) return Fail(env, "matmul: batchB mismatch"), nullptr;
  if (!InHeap(a_off, batch_a * m * k, heap_len) || !InHeap(b_off, batch_b * k * n, heap_len) ||
      !InHeap(c_off, batch * m * n, heap_len) || (bias_off >= 0 && !InHeap(bias_off, n, heap_len))) {
    Fail(env, "matmul: operand outside the heap");
    return nullptr;
  }

  auto* heap = static_cast<uint8_t*>(heap_p);
  const float* a = reinterpret_cast<const float*>(heap + a_off);
  const float* b = reinterpret_cast<const float*>(heap + b_off);
  float* c = reinterpret_cast<float*>(heap + c_off);
  const float* bias = bias_off >= 0 ? reinterpret_cast<const float*>(heap + bias_off) : nullptr;
  UseThreads(static_cast<double>(m) * n * k < g_small_mnk ? 1 : g_threads);
  const int lda = trans_a ? static_cast<int>(m) : static_cast<int>(k);
  const int ldb = trans_b ? static_cast<int>(k) : static_cast<int>(n);
  for (int64_t i = 0; i < batch; ++i) {
    const int64_t ai = a_idx ? a_idx[i] : (batch_a == 1 ? 0 : i);
    const int64_t bi = b_idx ? b_idx[i] : (batch_b == 1 ? 0 : i);
    float* ci = c + i * m * n;
    float beta = 0.0f;
    if (bias) {
      for (int64_t r = 0; r < m; ++r) std::memcpy(ci + r * n, bias, n * sizeof(float));
      beta = 1.0f;
    }
    if (k == 0) {
      if (!bias) std::memset(ci, 0, m * n * sizeof(float));
    } else {
      cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                  trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
                  static_cast<int>(k), 1.0f, a + ai * m * k, lda, b + bi * k * n, ldb, beta, ci,
                  static_cast<int>(n));
    }
    if (relu)
      for (int64_t j = 0; j < m * n; ++j) ci[j] = ci[j] > 0.0f ? ci[j] : 0.0f;
  }
  return nullptr;
}

// sumLeading(heap, xOff, outOff, outer, inner): out[j] = sum_i x[i * inner + j], float32,
// accumulated in i order (the order tfjs's transpose-then-reduce uses). This is the bias
// and LayerNorm-parameter gradient shape, which the wasm backend can only do by
// transposing the whole input first.
napi_value SumLeading(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 5) return Fail(env, "sumLeading expects 5 arguments"), nullptr;
  void* heap_p;
  size_t heap_len;
  if (!GetTyped(env, argv[0], napi_uint8_array, &heap_p, &heap_len, false)) return nullptr;
  int64_t x_off, out_off, outer, inner;
  if (!GetInt(env, argv[1], &x_off) || !GetInt(env, argv[2], &out_off) || !GetInt(env, argv[3], &outer) ||
      !GetInt(env, argv[4], &inner))
    return nullptr;
  if (outer < 0 || inner < 0) return Fail(env, "sumLeading: bad dimensions"), nullptr;
  if (inner == 0) return nullptr;
  if (!InHeap(x_off, outer * inner, heap_len) || !InHeap(out_off, inner, heap_len))
    return Fail(env, "sumLeading: operand outside the heap"), nullptr;
  auto* heap = static_cast<uint8_t*>(heap_p);
  const float* __restrict x = reinterpret_cast<const float*>(heap + x_off);
  float* __restrict out = reinterpret_cast<float*>(heap + out_off);
  std::memset(out, 0, inner * sizeof(float));
  for (int64_t i = 0; i < outer; ++i) {
    const float* row = x + i * inner;
    for (int64_t j = 0; j < inner; ++j) out[j] += row[j];
  }
  return nullptr;
}

bool HaveAvx2() {
#ifdef TL_HAVE_AVX2_KERNELS
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
#else
  return false;
#endif
}

// unary(heap, op, xOff, outOff, n): out = exp(x) (op 0) or erf(x) (op 1), float32.
napi_value Unary(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 5) return Fail(env, "unary expects 5 arguments"), nullptr;
  void* heap_p;
  size_t heap_len;
  if (!GetTyped(env, argv[0], napi_uint8_array, &heap_p, &heap_len, false)) return nullptr;
  int64_t op, x_off, out_off, n;
  if (!GetInt(env, argv[1], &op) || !GetInt(env, argv[2], &x_off) || !GetInt(env, argv[3], &out_off) ||
      !GetInt(env, argv[4], &n))
    return nullptr;
  if ((op != 0 && op != 1) || n < 0) return Fail(env, "unary: bad op or size"), nullptr;
  if (!InHeap(x_off, n, heap_len) || !InHeap(out_off, n, heap_len))
    return Fail(env, "unary: operand outside the heap"), nullptr;
  auto* heap = static_cast<uint8_t*>(heap_p);
  const float* x = reinterpret_cast<const float*>(heap + x_off);
  float* y = reinterpret_cast<float*>(heap + out_off);
#ifdef TL_HAVE_AVX2_KERNELS
  if (HaveAvx2()) {
    (op == 0 ? tl_exp_avx2 : tl_erf_avx2)(x, y, n);
    return nullptr;
  }
#endif
  if (op == 0)
    for (int64_t i = 0; i < n; ++i) y[i] = std::exp(x[i]);
  else
    for (int64_t i = 0; i < n; ++i) y[i] = std::erf(x[i]);
  return nullptr;
}

// adamw(heap, table, hyper) -> clipping factor applied. table: Float64Array, 7 entries per
// parameter [pOff, gOff, mOff, vOff, maskOff (-1: dense), n, decay 0/1]; hyper: Float64Array
// [lr, beta1, beta2, eps, weightDecay, bc1, bc2, clipNorm (<= 0: none)]. p, m and v are
// updated in place; every range is checked against the heap first, so nothing is written
// unless the whole table is valid.
napi_value Adamw(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 3) return Fail(env, "adamw expects 3 arguments"), nullptr;
  void* heap_p;
  void* table_p;
  void* hyper_p;
  size_t heap_len, table_len, hyper_len;
  if (!GetTyped(env, argv[0], napi_uint8_array, &heap_p, &heap_len, false) ||
      !GetTyped(env, argv[1], napi_float64_array, &table_p, &table_len, false) ||
      !GetTyped(env, argv[2], napi_float64_array, &hyper_p, &hyper_len, false))
    return nullptr;
  if (table_len % 7 != 0 || hyper_len != 8) return Fail(env, "adamw: bad table or hyper length"), nullptr;
  const auto* t = static_cast<const double*>(table_p);
  const auto* hp = static_cast<const double*>(hyper_p);
  auto* heap = static_cast<uint8_t*>(heap_p);
  const size_t count = table_len / 7;
  std::vector<TlAdamwParam> ps(count);
  auto at = [heap](double off) { return reinterpret_cast<float*>(heap + static_cast<int64_t>(off)); };
  for (size_t j = 0; j < count; ++j) {
    const double* r = t + 7 * j;
    const int64_t n = static_cast<int64_t>(r[5]);
    if (n < 0 || !InHeap(static_cast<int64_t>(r[0]), n, heap_len) ||
        !InHeap(static_cast<int64_t>(r[1]), n, heap_len) || !InHeap(static_cast<int64_t>(r[2]), n, heap_len) ||
        !InHeap(static_cast<int64_t>(r[3]), n, heap_len) ||
        (r[4] >= 0 && !InHeap(static_cast<int64_t>(r[4]), n, heap_len)))
      return Fail(env, "adamw: operand outside the heap"), nullptr;
    ps[j] = {at(r[0]), at(r[1]), at(r[2]), at(r[3]), r[4] >= 0 ? at(r[4]) : nullptr, n, r[6] != 0};
  }
  const TlAdamwHyper h{hp[0], hp[1], hp[2], hp[3], hp[4], hp[5], hp[6], hp[7]};
  const float scale = tl_adamw_update(ps.data(), static_cast<int64_t>(count), h);
  napi_value out;
  napi_create_double(env, scale, &out);
  return out;
}

// binary(heap, op, aOff, bOff, outOff, desc) with desc an Int32Array
// [rank, dims(rank), aStrides(rank), bStrides(rank)] (element strides, 0 = broadcast).
napi_value Binary(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 6) return Fail(env, "binary expects 6 arguments"), nullptr;
  void* heap_p;
  void* desc_p;
  size_t heap_len, desc_len;
  if (!GetTyped(env, argv[0], napi_uint8_array, &heap_p, &heap_len, false)) return nullptr;
  int64_t op, a_off, b_off, out_off;
  if (!GetInt(env, argv[1], &op) || !GetInt(env, argv[2], &a_off) || !GetInt(env, argv[3], &b_off) ||
      !GetInt(env, argv[4], &out_off))
    return nullptr;
  if (!GetTyped(env, argv[5], napi_int32_array, &desc_p, &desc_len, false)) return nullptr;
  const auto* desc = static_cast<const int32_t*>(desc_p);
  const int rank = desc_len > 0 ? desc[0] : 0;
  if (op < 0 || op > 4 || rank < 1 || rank > kTlBinaryMaxRank || desc_len != static_cast<size_t>(1 + 3 * rank))
    return Fail(env, "binary: bad op or descriptor"), nullptr;
  int64_t dims[kTlBinaryMaxRank], sa[kTlBinaryMaxRank], sb[kTlBinaryMaxRank];
  int64_t total = 1, a_ext = 1, b_ext = 1;  // extents: highest element index touched + 1
  for (int d = 0; d < rank; ++d) {
    dims[d] = desc[1 + d];
    sa[d] = desc[1 + rank + d];
    sb[d] = desc[1 + 2 * rank + d];
    if (dims[d] < 1 || sa[d] < 0 || sb[d] < 0) return Fail(env, "binary: bad descriptor"), nullptr;
    total *= dims[d];
    a_ext += (dims[d] - 1) * sa[d];
    b_ext += (dims[d] - 1) * sb[d];
  }
  if (!InHeap(a_off, a_ext, heap_len) || !InHeap(b_off, b_ext, heap_len) || !InHeap(out_off, total, heap_len))
    return Fail(env, "binary: operand outside the heap"), nullptr;
  auto* heap = static_cast<uint8_t*>(heap_p);
  tl_binary(static_cast<int>(op), reinterpret_cast<const float*>(heap + a_off),
            reinterpret_cast<const float*>(heap + b_off), reinterpret_cast<float*>(heap + out_off), rank,
            dims, sa, sb);
  return nullptr;
}

// setThreads(n[, smallMnk]): n threads for large products; products with m·n·k < smallMnk on one.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int64_t n;
  if (argc < 1 || !GetInt(env, argv[0], &n)) return nullptr;
  if (n < 1) n = 1;
  double small = g_small_mnk;
  if (argc >= 2 && napi_get_value_double(env, argv[1], &small) != napi_ok) return Fail(env, "setThreads: smallMnk must be a number"), nullptr;
  g_small_mnk = small > 0 ? small : 0;
  g_threads = static_cast<int>(n);
  UseThreads(g_threads);
  return nullptr;
}

napi_value GetThreads(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_int32(env, g_threads, &out);  // configured count (small products use one)
  return out;
}

napi_value Config(napi_env env, napi_callback_info) {
  std::string s = std::string(openblas_get_config()) + " core=" + openblas_get_corename() +
                  (HaveAvx2() ? " eltwise=avx2" : " eltwise=scalar");
  napi_value out;
  napi_create_string_utf8(env, s.c_str(), s.size(), &out);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumLeading", nullptr, SumLeading, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamw", nullptr, Adamw, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getThreads", nullptr, GetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"config", nullptr, Config, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
