{
  "targets": [
    {
      "target_name": "ticketlab_blas",
      "sources": ["blas.cc", "adamw.cc", "binary.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-ffp-contract=off", "-fno-math-errno"],
      "include_dirs": [
        "/usr/include/x86_64-linux-gnu/openblas-pthread",
        "/usr/include/x86_64-linux-gnu/openblas-openmp",
        "/usr/include/openblas"
      ],
      "libraries": ["-lopenblas", "-lm"],
      "defines": ["NAPI_VERSION=8"],
      "conditions": [
        ["target_arch=='x64'", {
          "dependencies": ["ticketlab_eltwise_avx2"],
          "defines": ["TL_HAVE_AVX2_KERNELS=1"]
        }]
      ]
    },
    {
      "target_name": "ticketlab_eltwise_avx2",
      "type": "static_library",
      "sources": ["eltwise_avx2.cc"],
      "cflags_cc": ["-O3", "-fPIC", "-mavx2", "-mfma", "-ffast-math"]
    }
  ]
}
