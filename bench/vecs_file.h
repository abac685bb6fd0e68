// fvecs/ivecs files (the TEXMEX format: per vector an int32 dimension, then that many float32 or
// int32), the external data ann_bench, table_bench and file_walk_bench read.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace bench {

struct Vecs {
  size_t count = 0, dim = 0;
  std::vector<float> f;    // fvecs
  std::vector<int32_t> i;  // ivecs
};

// False when the file cannot be read, is empty, or has a vector whose dimension is not in 1..65536
// or differs from the first one.
inline bool ReadVecs(const std::string& path, bool ints, Vecs* out) {
  FILE* fp = std::fopen(path.c_str(), "rb");
  if (fp == nullptr) return false;
  int32_t d = 0;
  bool ok = true;
  while (ok && std::fread(&d, 4, 1, fp) == 1) {
    if (d <= 0 || d > 65536 || (out->dim != 0 && static_cast<size_t>(d) != out->dim)) {
      ok = false;
      break;
    }
    out->dim = static_cast<size_t>(d);
    const size_t at = out->count * out->dim;
    if (ints) {
      out->i.resize(at + out->dim);
      ok = std::fread(out->i.data() + at, 4, out->dim, fp) == out->dim;
    } else {
      out->f.resize(at + out->dim);
      ok = std::fread(out->f.data() + at, 4, out->dim, fp) == out->dim;
    }
    if (ok) ++out->count;
  }
  std::fclose(fp);
  return ok && out->count > 0;
}

}  // namespace bench
