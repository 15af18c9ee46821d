{
  "targets": [
    {
      "target_name": "ticketlab_blas",
      "sources": ["blas.cc"],
      "cflags_cc": ["-O3", "-std=c++17"],
      "include_dirs": [
        "/usr/include/x86_64-linux-gnu/openblas-pthread",
        "/usr/include/x86_64-linux-gnu/openblas-openmp",
        "/usr/include/openblas"
      ],
      "libraries": ["-lopenblas"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
