#include "parquet/statistics.h"

#include <cmath>
#include <cstring>
#include <string_view>

namespace ailake::parquet {

namespace {

inline bool Valid(const uint8_t* validity, int64_t i) {
  return validity == nullptr || ((validity[i >> 3] >> (i & 7)) & 1) != 0;
}

template <typename T>
std::string Bytes(T v) {
  std::string s(sizeof(T), '\0');
  std::memcpy(s.data(), &v, sizeof(T));
  return s;
}

template <typename T>
void IntMinMax(const Column& c, int64_t begin, int64_t end, const uint8_t* validity, ChunkStatistics* st) {
  const uint8_t* src = c.values().data();
  bool any = false;
  T lo{}, hi{};
  for (int64_t i = begin; i < end; ++i) {
    if (!Valid(validity, i)) continue;
    T v;
    std::memcpy(&v, src + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
    if (!any) {
      lo = hi = v;
      any = true;
    } else {
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
  }
  if (!any) return;
  st->has_min = st->has_max = true;
  st->min = Bytes(lo);
  st->max = Bytes(hi);
}

template <typename T>
void FloatMinMax(const Column& c, int64_t begin, int64_t end, const uint8_t* validity, ChunkStatistics* st) {
  const uint8_t* src = c.values().data();
  bool any = false;
  T lo{}, hi{};
  for (int64_t i = begin; i < end; ++i) {
    if (!Valid(validity, i)) continue;
    T v;
    std::memcpy(&v, src + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
    if (std::isnan(v)) continue;
    if (!any) {
      lo = hi = v;
      any = true;
    } else {
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
  }
  if (!any) return;  // only NaNs (or nulls): no bounds
  if (lo == T(0)) lo = -T(0);
  if (hi == T(0)) hi = T(0);
  st->has_min = st->has_max = true;
  st->min = Bytes(lo);
  st->max = Bytes(hi);
}

void BoolMinMax(const Column& c, int64_t begin, int64_t end, const uint8_t* validity, ChunkStatistics* st) {
  const uint8_t* src = c.values().data();
  bool seen_false = false, seen_true = false;
  for (int64_t i = begin; i < end; ++i) {
    if (!Valid(validity, i)) continue;
    if (src[i] != 0) seen_true = true;
    else seen_false = true;
  }
  if (!seen_false && !seen_true) return;
  st->has_min = st->has_max = true;
  st->min = std::string(1, seen_false ? '\0' : '\1');
  st->max = std::string(1, seen_true ? '\1' : '\0');
}

// Length of the longest prefix of s no longer than limit that does not split a UTF-8 sequence.
size_t Utf8Cut(std::string_view s, size_t limit) {
  size_t cut = limit;
  while (cut > 0 && (static_cast<uint8_t>(s[cut]) & 0xC0) == 0x80) --cut;
  return cut;
}

// Smallest-effort upper bound of every string with prefix s[0..cut): increment the last byte that can be
// incremented (dropping what follows it). Returns false when none can.
bool IncrementPrefix(std::string* s, bool utf8) {
  while (!s->empty()) {
    const uint8_t last = static_cast<uint8_t>(s->back());
    if (!utf8) {
      if (last != 0xFF) {
        s->back() = static_cast<char>(last + 1);
        return true;
      }
      s->pop_back();
      continue;
    }
    if (last < 0x7F) {
      s->back() = static_cast<char>(last + 1);
      return true;
    }
    // Drop the whole last character (continuation bytes and its lead byte).
    while (!s->empty() && (static_cast<uint8_t>(s->back()) & 0xC0) == 0x80) s->pop_back();
    if (!s->empty()) s->pop_back();
  }
  return false;
}

void BytesMinMax(const Column& c, int64_t begin, int64_t end, const uint8_t* validity, ChunkStatistics* st) {
  const bool fixed = c.type() == DataType::kFixedBinary;
  const size_t flen = fixed ? static_cast<size_t>(c.fixed_len()) : 0;
  const char* base = reinterpret_cast<const char*>(c.values().data());
  const int64_t* off = fixed ? nullptr : c.offsets().data();
  bool any = false;
  std::string_view lo, hi;
  for (int64_t i = begin; i < end; ++i) {
    if (!Valid(validity, i)) continue;
    const std::string_view v = fixed ? std::string_view(base + static_cast<size_t>(i) * flen, flen)
                                     : std::string_view(base + off[i], static_cast<size_t>(off[i + 1] - off[i]));
    if (!any) {
      lo = hi = v;
      any = true;
    } else {
      // std::char_traits<char>::compare orders bytes as unsigned char, as Parquet's order requires.
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!any) return;
  const bool utf8 = c.type() == DataType::kString;
  st->has_min = true;
  if (lo.size() > kMaxStatBytes) {
    st->min.assign(lo.substr(0, utf8 ? Utf8Cut(lo, kMaxStatBytes) : kMaxStatBytes));
    st->min_exact = false;
  } else {
    st->min.assign(lo);
  }
  if (hi.size() > kMaxStatBytes) {
    std::string m(hi.substr(0, utf8 ? Utf8Cut(hi, kMaxStatBytes) : kMaxStatBytes));
    if (IncrementPrefix(&m, utf8)) {
      st->has_max = true;
      st->max = std::move(m);
      st->max_exact = false;
    }
  } else {
    st->has_max = true;
    st->max.assign(hi);
  }
}

}  // namespace

ChunkStatistics ComputeStatistics(const Column& column, int64_t begin, int64_t end, int64_t nulls, bool with_min_max) {
  ChunkStatistics st;
  st.null_count = nulls;
  if (!with_min_max || nulls == end - begin) return st;
  const uint8_t* validity = (nulls == 0 || column.validity().empty()) ? nullptr : column.validity().data();
  switch (column.type()) {
    case DataType::kBool: BoolMinMax(column, begin, end, validity, &st); break;
    case DataType::kInt32:
    case DataType::kDate: IntMinMax<int32_t>(column, begin, end, validity, &st); break;
    case DataType::kInt64:
    case DataType::kTimestamp: IntMinMax<int64_t>(column, begin, end, validity, &st); break;
    case DataType::kFloat: FloatMinMax<float>(column, begin, end, validity, &st); break;
    case DataType::kDouble: FloatMinMax<double>(column, begin, end, validity, &st); break;
    case DataType::kString:
    case DataType::kBinary:
    case DataType::kFixedBinary: BytesMinMax(column, begin, end, validity, &st); break;
    case DataType::kList: break;
  }
  return st;
}

bool LegacyStatsCompatible(DataType type) {
  switch (type) {
    case DataType::kBool:
    case DataType::kInt32:
    case DataType::kInt64:
    case DataType::kFloat:
    case DataType::kDouble:
    case DataType::kDate:
    case DataType::kTimestamp: return true;
    default: return false;
  }
}

}  // namespace ailake::parquet
