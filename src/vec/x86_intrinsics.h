// <immintrin.h> for files that use AVX2/AVX-512 intrinsics under function-level target attributes.
//
// GCC 12 reports "'__Y' is used uninitialized" inside its own avx512fintrin.h whenever
// _mm512_reduce_add_ps or _mm512_castps512_ps256 is inlined (the header builds the result from
// _mm256_undefined_pd(), which is deliberate). The warning points at header lines, so silencing it
// for the include alone keeps it on for our code.
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif
