#include "iceberg/avro_binary.h"

#include <cstring>

#include "core/checked.h"

namespace ailake {

namespace {

// Schemas are at most 64 levels deep (AvroSchema::Parse); values follow the schema, so this only
// guards hand-built schemas.
constexpr int kMaxDecodeDepth = 256;

Status Corrupt(const std::string& what) { return Status::Corruption("Avro data: " + what); }

Status Unfit(const std::string& path, const std::string& what) {
  return Status::InvalidArgument("Avro value at " + path + ": " + what);
}

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t u) { return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1); }

void AppendRaw(const void* p, size_t n, std::vector<uint8_t>* out) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  out->insert(out->end(), b, b + n);
}

Status Encode(const AvroSchema& s, const AvroValue& v, std::vector<uint8_t>* out, const std::string& path, int depth) {
  if (depth > kMaxDecodeDepth) return Unfit(path, "nested too deeply");
  if (s.type == AvroType::kUnion) {
    int b = AvroChooseBranch(s, v);
    if (b < 0) {
      return Unfit(path, std::string("a ") + AvroValueKindName(v.kind()) + " value fits no branch of the union " +
                             s.ToJsonString());
    }
    AvroAppendLong(b, out);
    return Encode(*s.branches[static_cast<size_t>(b)], v, out, path, depth + 1);
  }
  if (AvroFitScore(s, v) == 0) {
    std::string detail;
    if (s.type == AvroType::kRecord && v.kind() == AvroValueKind::kRecord) {
      detail = " (" + std::to_string(v.fields().size()) + " fields given, schema has " + std::to_string(s.fields.size()) + ")";
    } else if (s.type == AvroType::kFixed && v.kind() == AvroValueKind::kFixed) {
      detail = " (" + std::to_string(v.bytes().size()) + " bytes given, fixed size " + std::to_string(s.fixed_size) + ")";
    }
    return Unfit(path, std::string("a ") + AvroValueKindName(v.kind()) + " value does not fit schema type " +
                           AvroTypeName(s.type) + detail);
  }
  int64_t i = 0;
  switch (s.type) {
    case AvroType::kNull:
      return Status::OK();
    case AvroType::kBoolean:
      out->push_back(v.boolean() ? 1 : 0);
      return Status::OK();
    case AvroType::kInt:
    case AvroType::kLong:
      v.GetInteger(&i);
      AvroAppendLong(i, out);
      return Status::OK();
    case AvroType::kFloat: {
      float f = v.GetInteger(&i) ? static_cast<float>(i) : v.float32();
      AppendRaw(&f, 4, out);
      return Status::OK();
    }
    case AvroType::kDouble: {
      double d = v.GetInteger(&i) ? static_cast<double>(i)
                 : v.kind() == AvroValueKind::kFloat ? static_cast<double>(v.float32())
                                                     : v.float64();
      AppendRaw(&d, 8, out);
      return Status::OK();
    }
    case AvroType::kBytes:
      AvroAppendLong(static_cast<int64_t>(v.bytes().size()), out);
      AppendRaw(v.bytes().data(), v.bytes().size(), out);
      return Status::OK();
    case AvroType::kFixed:
      AppendRaw(v.bytes().data(), v.bytes().size(), out);
      return Status::OK();
    case AvroType::kString: {
      const std::string& str = v.string();
      if (!IsValidUtf8(reinterpret_cast<const uint8_t*>(str.data()), str.size())) {
        return Unfit(path, "string is not valid UTF-8 (Avro strings must be)");
      }
      AvroAppendLong(static_cast<int64_t>(str.size()), out);
      AppendRaw(str.data(), str.size(), out);
      return Status::OK();
    }
    case AvroType::kEnum:
      AvroAppendLong(v.enum_index(), out);
      return Status::OK();
    case AvroType::kRecord:
      for (size_t f = 0; f < s.fields.size(); ++f) {
        AILAKE_RETURN_IF_ERROR(Encode(*s.fields[f].type, v.fields()[f], out, path + "." + s.fields[f].name, depth + 1));
      }
      return Status::OK();
    case AvroType::kArray:
      if (!v.items().empty()) {
        AvroAppendLong(static_cast<int64_t>(v.items().size()), out);
        for (size_t k = 0; k < v.items().size(); ++k) {
          AILAKE_RETURN_IF_ERROR(Encode(*s.items, v.items()[k], out, path + "[" + std::to_string(k) + "]", depth + 1));
        }
      }
      AvroAppendLong(0, out);
      return Status::OK();
    case AvroType::kMap:
      if (!v.entries().empty()) {
        AvroAppendLong(static_cast<int64_t>(v.entries().size()), out);
        for (const auto& [key, val] : v.entries()) {
          if (!IsValidUtf8(reinterpret_cast<const uint8_t*>(key.data()), key.size())) {
            return Unfit(path, "map key is not valid UTF-8");
          }
          AvroAppendLong(static_cast<int64_t>(key.size()), out);
          AppendRaw(key.data(), key.size(), out);
          AILAKE_RETURN_IF_ERROR(Encode(*s.values, val, out, path + "[" + key + "]", depth + 1));
        }
      }
      AvroAppendLong(0, out);
      return Status::OK();
    case AvroType::kUnion:
      break;
  }
  return Status::Internal("unreachable Avro type");
}

}  // namespace

void AvroAppendLong(int64_t v, std::vector<uint8_t>* out) {
  uint64_t u = ZigZag(v);
  while (u >= 0x80) {
    out->push_back(static_cast<uint8_t>(u | 0x80));
    u >>= 7;
  }
  out->push_back(static_cast<uint8_t>(u));
}

Status AvroEncode(const AvroSchema& schema, const AvroValue& value, std::vector<uint8_t>* out) {
  return Encode(schema, value, out, "$", 0);
}

uint64_t AvroMinEncodedSize(const AvroSchema& s) {
  switch (s.type) {
    case AvroType::kNull: return 0;
    case AvroType::kFloat: return 4;
    case AvroType::kDouble: return 8;
    case AvroType::kFixed: return static_cast<uint64_t>(s.fixed_size);
    case AvroType::kRecord: {
      uint64_t total = 0;
      for (const auto& f : s.fields) {
        total = CheckedAdd(total, AvroMinEncodedSize(*f.type)).value_or(UINT64_MAX);
      }
      return total;
    }
    default: return 1;  // one varint byte at least (booleans: one byte)
  }
}

bool IsValidUtf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

Result<int64_t> AvroDecoder::ReadLong() {
  uint64_t u = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= size_) return Corrupt("varint runs past the end of the data at offset " + std::to_string(pos_));
    uint8_t b = data_[pos_++];
    if (shift == 63 && (b & 0x7E) != 0) return Corrupt("varint overflows 64 bits at offset " + std::to_string(pos_ - 1));
    u |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return UnZigZag(u);
  }
  return Corrupt("varint longer than 10 bytes at offset " + std::to_string(pos_));
}

Result<int32_t> AvroDecoder::ReadInt() {
  AILAKE_ASSIGN_OR_RETURN(int64_t v, ReadLong());
  if (v < INT32_MIN || v > INT32_MAX) return Corrupt("int value " + std::to_string(v) + " does not fit 32 bits");
  return static_cast<int32_t>(v);
}

Result<uint64_t> AvroDecoder::ReadLength(const char* what) {
  AILAKE_ASSIGN_OR_RETURN(int64_t n, ReadLong());
  if (n < 0) return Corrupt(std::string(what) + " has negative length " + std::to_string(n));
  uint64_t len = static_cast<uint64_t>(n);
  if (len > limits_.max_bytes_length) {
    return Corrupt(std::string(what) + " length " + std::to_string(len) + " exceeds the limit of " +
                   std::to_string(limits_.max_bytes_length) + " bytes");
  }
  if (len > remaining()) {
    return Corrupt(std::string(what) + " length " + std::to_string(len) + " runs past the end of the data (" +
                   std::to_string(remaining()) + " bytes left)");
  }
  return len;
}

Result<std::vector<uint8_t>> AvroDecoder::ReadBytes() {
  AILAKE_ASSIGN_OR_RETURN(uint64_t n, ReadLength("bytes value"));
  std::vector<uint8_t> out(data_ + pos_, data_ + pos_ + n);
  pos_ += n;
  return out;
}

Result<std::string> AvroDecoder::ReadString() {
  AILAKE_ASSIGN_OR_RETURN(uint64_t n, ReadLength("string"));
  if (!IsValidUtf8(data_ + pos_, n)) return Corrupt("string at offset " + std::to_string(pos_) + " is not valid UTF-8");
  std::string out(reinterpret_cast<const char*>(data_ + pos_), n);
  pos_ += n;
  return out;
}

Status AvroDecoder::ReadFixed(size_t n, uint8_t* out) {
  if (n > remaining()) {
    return Corrupt("fixed value of " + std::to_string(n) + " bytes runs past the end of the data");
  }
  if (n) std::memcpy(out, data_ + pos_, n);
  pos_ += n;
  return Status::OK();
}

Result<uint64_t> AvroDecoder::ReadBlockCount(const AvroSchema& item_schema, uint64_t extra_min_size) {
  AILAKE_ASSIGN_OR_RETURN(int64_t count, ReadLong());
  if (count == 0) return uint64_t{0};
  if (count < 0) {
    if (count == INT64_MIN) return Corrupt("collection block count overflows");
    count = -count;
    AILAKE_ASSIGN_OR_RETURN(int64_t byte_size, ReadLong());
    if (byte_size < 0 || static_cast<uint64_t>(byte_size) > remaining()) {
      return Corrupt("collection block byte size " + std::to_string(byte_size) + " is negative or runs past the end");
    }
  }
  uint64_t n = static_cast<uint64_t>(count);
  if (n > items_left_) {
    return Corrupt("collection holds more than " + std::to_string(limits_.max_collection_items) +
                   " items in one value (limit)");
  }
  // Every item takes at least `min` bytes; a count the remaining bytes cannot hold is corrupt
  // (checked before anything is allocated).
  uint64_t min = CheckedAdd(AvroMinEncodedSize(item_schema), extra_min_size).value_or(UINT64_MAX);
  if (min > 0) {
    auto need = CheckedMul(n, min);
    if (!need || *need > remaining()) {
      return Corrupt("collection block of " + std::to_string(n) + " items cannot fit in the " +
                     std::to_string(remaining()) + " bytes left");
    }
  }
  items_left_ -= n;
  return n;
}

Status AvroDecoder::Decode(const AvroSchema& schema, AvroValue* out) {
  items_left_ = limits_.max_collection_items;
  return DecodeValue(schema, out, 0);
}

Status AvroDecoder::DecodeValue(const AvroSchema& s, AvroValue* out, int depth) {
  if (depth > kMaxDecodeDepth) return Corrupt("value nested too deeply");
  switch (s.type) {
    case AvroType::kNull:
      *out = AvroValue::Null();
      return Status::OK();
    case AvroType::kBoolean: {
      if (pos_ >= size_) return Corrupt("boolean runs past the end of the data");
      uint8_t b = data_[pos_++];
      if (b > 1) return Corrupt("boolean byte is " + std::to_string(b) + ", not 0 or 1");
      *out = AvroValue::Boolean(b == 1);
      return Status::OK();
    }
    case AvroType::kInt: {
      AILAKE_ASSIGN_OR_RETURN(int32_t v, ReadInt());
      *out = AvroValue::Int(v);
      return Status::OK();
    }
    case AvroType::kLong: {
      AILAKE_ASSIGN_OR_RETURN(int64_t v, ReadLong());
      *out = AvroValue::Long(v);
      return Status::OK();
    }
    case AvroType::kFloat: {
      if (remaining() < 4) return Corrupt("float runs past the end of the data");
      *out = AvroValue::Float(LoadLE<float>(data_ + pos_));
      pos_ += 4;
      return Status::OK();
    }
    case AvroType::kDouble: {
      if (remaining() < 8) return Corrupt("double runs past the end of the data");
      *out = AvroValue::Double(LoadLE<double>(data_ + pos_));
      pos_ += 8;
      return Status::OK();
    }
    case AvroType::kBytes: {
      AILAKE_ASSIGN_OR_RETURN(std::vector<uint8_t> b, ReadBytes());
      *out = AvroValue::BytesValue(std::move(b));
      return Status::OK();
    }
    case AvroType::kString: {
      AILAKE_ASSIGN_OR_RETURN(std::string str, ReadString());
      *out = AvroValue::String(std::move(str));
      return Status::OK();
    }
    case AvroType::kFixed: {
      std::vector<uint8_t> b(static_cast<size_t>(s.fixed_size) <= remaining() ? static_cast<size_t>(s.fixed_size) : 0);
      if (static_cast<uint64_t>(s.fixed_size) > remaining()) {
        return Corrupt("fixed value of " + std::to_string(s.fixed_size) + " bytes runs past the end of the data");
      }
      AILAKE_RETURN_IF_ERROR(ReadFixed(b.size(), b.data()));
      *out = AvroValue::Fixed(std::move(b));
      return Status::OK();
    }
    case AvroType::kEnum: {
      AILAKE_ASSIGN_OR_RETURN(int32_t idx, ReadInt());
      if (idx < 0 || static_cast<size_t>(idx) >= s.symbols.size()) {
        return Corrupt("enum index " + std::to_string(idx) + " is outside the " + std::to_string(s.symbols.size()) +
                       " symbols of " + s.full_name());
      }
      *out = AvroValue::Enum(idx);
      return Status::OK();
    }
    case AvroType::kUnion: {
      AILAKE_ASSIGN_OR_RETURN(int64_t b, ReadLong());
      if (b < 0 || static_cast<uint64_t>(b) >= s.branches.size()) {
        return Corrupt("union branch " + std::to_string(b) + " is outside the union's " +
                       std::to_string(s.branches.size()) + " branches");
      }
      AILAKE_RETURN_IF_ERROR(DecodeValue(*s.branches[static_cast<size_t>(b)], out, depth + 1));
      out->set_union_branch(static_cast<int>(b));
      return Status::OK();
    }
    case AvroType::kRecord: {
      AvroValue::List fields(s.fields.size());
      for (size_t f = 0; f < s.fields.size(); ++f) {
        Status st = DecodeValue(*s.fields[f].type, &fields[f], depth + 1);
        if (!st.ok()) return st.WithContext("field '" + s.fields[f].name + "'");
      }
      *out = AvroValue::Record(std::move(fields));
      return Status::OK();
    }
    case AvroType::kArray: {
      AvroValue::List items;
      while (true) {
        AILAKE_ASSIGN_OR_RETURN(uint64_t n, ReadBlockCount(*s.items, 0));
        if (n == 0) break;
        items.reserve(items.size() + n);
        for (uint64_t k = 0; k < n; ++k) {
          items.emplace_back();
          AILAKE_RETURN_IF_ERROR(DecodeValue(*s.items, &items.back(), depth + 1));
        }
      }
      *out = AvroValue::Array(std::move(items));
      return Status::OK();
    }
    case AvroType::kMap: {
      AvroValue::Entries entries;
      while (true) {
        AILAKE_ASSIGN_OR_RETURN(uint64_t n, ReadBlockCount(*s.values, 1));  // + key length byte
        if (n == 0) break;
        entries.reserve(entries.size() + n);
        for (uint64_t k = 0; k < n; ++k) {
          AILAKE_ASSIGN_OR_RETURN(std::string key, ReadString());
          entries.emplace_back(std::move(key), AvroValue());
          AILAKE_RETURN_IF_ERROR(DecodeValue(*s.values, &entries.back().second, depth + 1));
        }
      }
      *out = AvroValue::Map(std::move(entries));
      return Status::OK();
    }
  }
  return Status::Internal("unreachable Avro type");
}

}  // namespace ailake
