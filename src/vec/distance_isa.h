// Internal to the vec layer: the kernel tables each instruction-set file defines, and the helper
// the scalar paths use to read elements at any alignment. Only distance.cc (the dispatcher) and
// the tests look at these; everyone else goes through ActiveKernels() / KernelsFor().
#pragma once

#include <cstdint>
#include <cstring>

#include "vec/distance.h"

namespace ailake::vec::internal {

// Defined in distance_avx2.cc (AVX2+FMA+F16C) and distance_avx512.cc (AVX-512F+BW+VL). The code is
// compiled with function-level target attributes, so calling a table's functions on a CPU without
// that ISA faults: callers must check DetectedIsa() first (KernelsFor does).
const Kernels& Avx2Kernels();
const Kernels& Avx512Kernels();

// The ISA to run given what the CPU supports and the value of AILAKE_ISA (nullptr when unset):
// the named ISA when it is not above `detected`, else `detected`. Pure, so tests can cover it
// without re-running the process.
Isa SelectIsa(Isa detected, const char* env_value);

// Reads one element through memcpy: stored rows may start at any byte offset.
template <typename T>
inline T LoadUnaligned(const T* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

}  // namespace ailake::vec::internal
