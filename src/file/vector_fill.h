// Helpers shared by the AI-Lake file writer and reader for rows without a vector.
//
// Invariant: in the contiguous row buffer an index is built or loaded over, a null row holds the
// encoded centroid. Writer and reader apply the same rule, so the graph the writer built is the graph
// the reader validates and searches; null rows are excluded from every search result.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ailake/status.h"
#include "ailake/types.h"
#include "vec/centroid.h"

namespace ailake::file {

// Centroid/radius over the rows whose nulls[r] == 0 (nulls may be empty: no nulls).
vec::CentroidRadius CentroidOfPresentRows(VectorMetric metric, VectorPrecision precision, size_t dim,
                                          std::span<const uint8_t> rows, const std::vector<uint8_t>& nulls,
                                          size_t count);

// Writes the encoded centroid into every null row of `rows`.
void FillNullRows(VectorPrecision precision, size_t dim, const std::vector<float>& centroid,
                  const std::vector<uint8_t>& nulls, std::span<uint8_t> rows);

// InvalidArgument unless every value of the vector is finite and representable in `precision`:
// f16 holds magnitudes up to 65504 (a value that would round to infinity is refused, never stored
// as +/-Inf); f32 and i8 (scaled per row) hold any finite float. The message names the element and
// its value; callers prefix the row.
Status CheckStorable(VectorPrecision precision, const float* v, size_t dim);

// Scales v to unit L2 length (a zero vector stays zero).
void NormalizeInPlace(float* v, size_t dim);

}  // namespace ailake::file
