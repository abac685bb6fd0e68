#include "parquet/value_json.h"

#include <charconv>
#include <cmath>

#include "core/civil_time.h"

namespace ailake::parquet {

std::string Base64Encode(std::string_view in) {
  static const char* kTable = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kTable[v >> 18];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += kTable[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kTable[v >> 18];
    out += kTable[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kTable[v >> 18];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

namespace {
std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v < 0 ? -v : v);
  if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<size_t>(width) - s.size(), '0');
  return v < 0 ? "-" + s : s;
}
// Fraction digits of a unit: the calendar itself is core/civil_time.h.
int Digits(TimeUnit unit) { return unit == TimeUnit::kMillis ? 3 : unit == TimeUnit::kMicros ? 6 : 9; }
}  // namespace

std::string FormatDate(int64_t days) { return civil::FormatDate(days); }

std::string FormatTimestampParts(int64_t days, int64_t time_of_day, TimeUnit unit) {
  return civil::FormatDateTime(days, static_cast<uint64_t>(time_of_day), Digits(unit));
}

std::string FormatTimestamp(int64_t value, TimeUnit unit) { return civil::FormatDateTime(value, Digits(unit)); }

std::string FormatTimeOfDay(int64_t value, TimeUnit unit) {
  if (value >= 0) return civil::FormatClock(static_cast<uint64_t>(value), Digits(unit));
  return "-" + civil::FormatClock(0 - static_cast<uint64_t>(value), Digits(unit));
}

std::string FormatDecimal(__int128 unscaled, int32_t scale) {
  const bool negative = unscaled < 0;
  unsigned __int128 u = negative ? 0 - static_cast<unsigned __int128>(unscaled) : static_cast<unsigned __int128>(unscaled);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u != 0);
  if (scale > 0 && digits.size() <= static_cast<size_t>(scale))
    digits.append(static_cast<size_t>(scale) + 1 - digits.size(), '0');  // at least one integer digit
  std::string out = negative ? "-" : "";
  for (size_t i = digits.size(); i-- > 0;) {
    out.push_back(digits[i]);
    if (scale > 0 && i == static_cast<size_t>(scale)) out.push_back('.');
  }
  return out;
}

std::string FormatInterval(uint32_t months, uint32_t days, uint32_t millis) {
  return "P" + std::to_string(months) + "M" + std::to_string(days) + "DT" + std::to_string(millis / 1000) + "." +
         Pad(millis % 1000, 3) + "S";
}

std::string FormatUuid(const uint8_t* b) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
      ++i;
    } else if (c < 0x20) {
      static const char* kHex = "0123456789abcdef";
      switch (c) {
        case '\n': *out += "\\n"; break;
        case '\r': *out += "\\r"; break;
        case '\t': *out += "\\t"; break;
        case '\b': *out += "\\b"; break;
        case '\f': *out += "\\f"; break;
        default: *out += "\\u00"; out->push_back(kHex[c >> 4]); out->push_back(kHex[c & 15]);
      }
      ++i;
    } else if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++i;
    } else {
      // Validate one UTF-8 sequence; copy it or emit U+FFFD for a bad byte.
      size_t len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      bool ok = len > 0 && i + len <= s.size();
      for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
      if (ok) {
        out->append(s.substr(i, len));
        i += len;
      } else {
        *out += "\xEF\xBF\xBD";
        ++i;
      }
    }
  }
  out->push_back('"');
}

void AppendJsonDouble(double v, std::string* out) {
  if (std::isnan(v)) { *out += "\"NaN\""; return; }
  if (std::isinf(v)) { *out += v > 0 ? "\"Infinity\"" : "\"-Infinity\""; return; }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

void AppendJsonFloat(float v, std::string* out) {
  if (std::isnan(v)) { *out += "\"NaN\""; return; }
  if (std::isinf(v)) { *out += v > 0 ? "\"Infinity\"" : "\"-Infinity\""; return; }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

void AppendValueJson(const Column& col, int64_t row, TimeUnit unit, std::string* out) {
  if (!col.IsValid(row)) {
    *out += "null";
    return;
  }
  switch (col.type()) {
    case DataType::kBool: *out += col.Value<uint8_t>(row) ? "true" : "false"; break;
    case DataType::kInt32: *out += std::to_string(col.Value<int32_t>(row)); break;
    case DataType::kInt64: *out += std::to_string(col.Value<int64_t>(row)); break;
    case DataType::kFloat: AppendJsonFloat(col.Value<float>(row), out); break;
    case DataType::kDouble: AppendJsonDouble(col.Value<double>(row), out); break;
    case DataType::kString: AppendJsonString(col.StringValue(row), out); break;
    case DataType::kBinary: AppendJsonString(Base64Encode(col.StringValue(row)), out); break;
    case DataType::kFixedBinary:
      AppendJsonString(Base64Encode({reinterpret_cast<const char*>(col.FixedValue(row)), size_t(col.fixed_len())}), out);
      break;
    case DataType::kDate: AppendJsonString(FormatDate(col.Value<int32_t>(row)), out); break;
    case DataType::kTimestamp: AppendJsonString(FormatTimestamp(col.Value<int64_t>(row), unit), out); break;
    case DataType::kList: {
      out->push_back('[');
      const Column* child = col.child();
      for (int64_t e = col.ListBegin(row); e < col.ListEnd(row); ++e) {
        if (e != col.ListBegin(row)) out->push_back(',');
        AppendValueJson(*child, e, unit, out);
      }
      out->push_back(']');
      break;
    }
  }
}

void AppendValueJson(const Field& field, const Column& col, int64_t row, std::string* out) {
  if (col.IsValid(row) && field.logical == Logical::kUnsigned && col.type() == DataType::kInt64) {
    *out += std::to_string(col.Value<uint64_t>(row));
    return;
  }
  if (col.IsValid(row) && field.logical == Logical::kJson && col.type() == DataType::kString) {
    out->append(col.StringValue(row));
    return;
  }
  AppendValueJson(col, row, field.unit, out);
}

std::string RowToJson(const Batch& batch, int64_t row) {
  std::string out = "{";
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    if (c) out.push_back(',');
    AppendJsonString(batch.schema.fields[c].name, &out);
    out.push_back(':');
    AppendValueJson(batch.schema.fields[c], batch.columns[c], row, &out);
  }
  out.push_back('}');
  return out;
}

}  // namespace ailake::parquet
