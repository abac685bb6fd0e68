// AILAKE_EXPORT marks what libailake.so exports: the library is built with hidden symbols by default
// (-fvisibility=hidden), so only the public API declared in include/ailake/ is visible to programs
// linking the shared library; everything in src/ stays internal and may change freely.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define AILAKE_EXPORT [[gnu::visibility("default")]]
#else
#define AILAKE_EXPORT
#endif
