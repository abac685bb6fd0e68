#include "parquet/batch.h"

#include <cstring>

namespace ailake::parquet {

std::string_view DataTypeName(DataType t) {
  switch (t) {
    case DataType::kBool: return "bool";
    case DataType::kInt32: return "int32";
    case DataType::kInt64: return "int64";
    case DataType::kFloat: return "float";
    case DataType::kDouble: return "double";
    case DataType::kString: return "string";
    case DataType::kBinary: return "binary";
    case DataType::kFixedBinary: return "fixed_binary";
    case DataType::kDate: return "date";
    case DataType::kTimestamp: return "timestamp";
    case DataType::kList: return "list";
  }
  return "unknown";
}

std::string_view LogicalName(Logical l) {
  switch (l) {
    case Logical::kNone: return "";
    case Logical::kUnsigned: return "unsigned";
    case Logical::kDecimal: return "decimal";
    case Logical::kTime: return "time";
    case Logical::kUuid: return "uuid";
    case Logical::kInt96: return "int96_timestamp";
    case Logical::kInterval: return "interval";
    case Logical::kJson: return "json";
  }
  return "";
}

int Schema::FieldIndex(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == name) return static_cast<int>(i);
  return -1;
}

namespace {
int32_t TypeWidth(DataType t, int32_t fixed_len) {
  switch (t) {
    case DataType::kBool: return 1;
    case DataType::kInt32:
    case DataType::kFloat:
    case DataType::kDate: return 4;
    case DataType::kInt64:
    case DataType::kDouble:
    case DataType::kTimestamp: return 8;
    case DataType::kFixedBinary: return fixed_len;
    default: return 0;
  }
}
bool IsVarWidth(DataType t) { return t == DataType::kString || t == DataType::kBinary || t == DataType::kList; }
}  // namespace

int32_t FixedWidth(const Field& field) { return TypeWidth(field.type, field.fixed_len); }

Column::Column(const Field& field) : type_(field.type), fixed_len_(field.fixed_len) {
  if (IsVarWidth(type_)) offsets_.push_back(0);
  if (type_ == DataType::kList) {
    Field elem = Field::Make("element", field.element_type, true);
    child_ = std::make_shared<Column>(elem);
  }
}

int64_t Column::null_count() const {
  if (validity_.empty()) return 0;
  int64_t n = 0;
  for (int64_t i = 0; i < length_; ++i) n += IsValid(i) ? 0 : 1;
  return n;
}

void Column::MaterializeValidity() {
  if (!validity_.empty() || length_ == 0) {
    if (validity_.empty()) validity_.reserve(8);
    return;
  }
  validity_.assign(static_cast<size_t>((length_ + 7) / 8), 0xFF);
}

void Column::SetValid(int64_t i, bool valid) {
  uint8_t& b = validity_[static_cast<size_t>(i >> 3)];
  if (valid) b = static_cast<uint8_t>(b | (1u << (i & 7)));
  else b = static_cast<uint8_t>(b & ~(1u << (i & 7)));
}

void Column::AppendValidBit() {
  if (!validity_.empty()) {
    if ((length_ >> 3) >= static_cast<int64_t>(validity_.size())) validity_.push_back(0);
    SetValid(length_, true);
  }
}

void Column::AppendNull() {
  if (validity_.empty()) {
    validity_.assign(static_cast<size_t>((length_ + 7) / 8), 0xFF);
    // Bits past length_ in the last byte must not matter; clear them for tidiness.
    if (length_ % 8) validity_.back() = static_cast<uint8_t>((1u << (length_ % 8)) - 1);
  }
  if ((length_ >> 3) >= static_cast<int64_t>(validity_.size())) validity_.push_back(0);
  SetValid(length_, false);
  int32_t w = TypeWidth(type_, fixed_len_);
  if (w > 0) values_.resize(values_.size() + static_cast<size_t>(w), 0);
  if (IsVarWidth(type_)) offsets_.push_back(offsets_.back());
  ++length_;
}

#define AILAKE_APPEND_FIXED(v)                                  \
  do {                                                          \
    AppendValidBit();                                           \
    size_t at = values_.size();                                 \
    values_.resize(at + sizeof(v));                             \
    std::memcpy(values_.data() + at, &v, sizeof(v));            \
    ++length_;                                                  \
  } while (0)

void Column::AppendBool(bool v) {
  uint8_t b = v ? 1 : 0;
  AILAKE_APPEND_FIXED(b);
}
void Column::AppendInt32(int32_t v) { AILAKE_APPEND_FIXED(v); }
void Column::AppendInt64(int64_t v) { AILAKE_APPEND_FIXED(v); }
void Column::AppendFloat(float v) { AILAKE_APPEND_FIXED(v); }
void Column::AppendDouble(double v) { AILAKE_APPEND_FIXED(v); }
#undef AILAKE_APPEND_FIXED

void Column::AppendString(std::string_view v) {
  AppendValidBit();
  values_.insert(values_.end(), v.begin(), v.end());
  offsets_.push_back(static_cast<int64_t>(values_.size()));
  ++length_;
}

void Column::AppendFixed(const uint8_t* bytes) {
  AppendValidBit();
  values_.insert(values_.end(), bytes, bytes + fixed_len_);
  ++length_;
}

void Column::AppendListEnd() {
  AppendValidBit();
  offsets_.push_back(child_->length());
  ++length_;
}

void Column::Reserve(int64_t rows, int64_t var_bytes) {
  int32_t w = TypeWidth(type_, fixed_len_);
  if (w > 0) values_.reserve(values_.size() + static_cast<size_t>(rows * w));
  if (IsVarWidth(type_)) {
    offsets_.reserve(offsets_.size() + static_cast<size_t>(rows));
    values_.reserve(values_.size() + static_cast<size_t>(var_bytes));
  }
}

Column Column::Slice(int64_t offset, int64_t count) const {
  Column out;
  out.type_ = type_;
  out.fixed_len_ = fixed_len_;
  out.length_ = count;
  if (!validity_.empty()) {
    out.validity_.assign(static_cast<size_t>((count + 7) / 8), 0);
    for (int64_t i = 0; i < count; ++i)
      if (IsValid(offset + i)) out.SetValid(i, true);
  }
  int32_t w = TypeWidth(type_, fixed_len_);
  if (w > 0) {
    out.values_.assign(values_.begin() + offset * w, values_.begin() + (offset + count) * w);
  } else if (type_ == DataType::kList) {
    int64_t b = offsets_[offset], e = offsets_[offset + count];
    out.child_ = std::make_shared<Column>(child_->Slice(b, e - b));
    for (int64_t i = 0; i <= count; ++i) out.offsets_.push_back(offsets_[offset + i] - b);
  } else {
    int64_t b = offsets_[offset], e = offsets_[offset + count];
    out.values_.assign(values_.begin() + b, values_.begin() + e);
    for (int64_t i = 0; i <= count; ++i) out.offsets_.push_back(offsets_[offset + i] - b);
  }
  return out;
}

Batch Batch::Empty(const Schema& schema) {
  Batch b;
  b.schema = schema;
  for (const auto& f : schema.fields) b.columns.emplace_back(f);
  return b;
}

Status Batch::Validate() const {
  if (columns.size() != schema.fields.size()) {
    return Status::InvalidArgument("batch has " + std::to_string(columns.size()) + " columns but its schema has " +
                                   std::to_string(schema.fields.size()) + " fields");
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    const Column& col = columns[c];
    const Field& f = schema.fields[c];
    const std::string where = "column '" + f.name + "'";
    if (col.type() != f.type) return Status::InvalidArgument(where + " has the wrong type");
    if (col.length() != num_rows) {
      return Status::InvalidArgument(where + " has " + std::to_string(col.length()) + " rows, the batch " +
                                     std::to_string(num_rows));
    }
    if (!col.validity().empty() && static_cast<int64_t>(col.validity().size()) < (num_rows + 7) / 8)
      return Status::InvalidArgument(where + " validity bitmap is too short");
    if (!f.nullable && col.null_count() > 0) return Status::InvalidArgument(where + " is not nullable but has nulls");
    int32_t w = FixedWidth(f);
    if (w > 0 && col.values().size() != static_cast<size_t>(num_rows) * static_cast<size_t>(w))
      return Status::InvalidArgument(where + " value buffer size does not match its row count");
    if (IsVarWidth(f.type)) {
      if (col.offsets().size() != static_cast<size_t>(num_rows) + 1)
        return Status::InvalidArgument(where + " offsets size does not match its row count");
      int64_t limit = f.type == DataType::kList ? (col.child() ? col.child()->length() : 0)
                                                : static_cast<int64_t>(col.values().size());
      for (size_t i = 0; i + 1 < col.offsets().size(); ++i)
        if (col.offsets()[i] > col.offsets()[i + 1] || col.offsets()[i + 1] > limit || col.offsets()[i] < 0)
          return Status::InvalidArgument(where + " offsets are not monotone within the value buffer");
    }
  }
  return Status::OK();
}

Status Batch::Append(const Batch& other) {
  if (other.columns.size() != columns.size()) return Status::InvalidArgument("Batch::Append: schemas differ");
  for (size_t c = 0; c < columns.size(); ++c) {
    Column& dst = columns[c];
    const Column& src = other.columns[c];
    if (dst.type() != src.type()) return Status::InvalidArgument("Batch::Append: column types differ");
    for (int64_t i = 0; i < src.length(); ++i) {
      if (!src.IsValid(i)) {
        dst.AppendNull();
        continue;
      }
      switch (src.type()) {
        case DataType::kBool: dst.AppendBool(src.Value<uint8_t>(i) != 0); break;
        case DataType::kInt32:
        case DataType::kDate: dst.AppendInt32(src.Value<int32_t>(i)); break;
        case DataType::kInt64:
        case DataType::kTimestamp: dst.AppendInt64(src.Value<int64_t>(i)); break;
        case DataType::kFloat: dst.AppendFloat(src.Value<float>(i)); break;
        case DataType::kDouble: dst.AppendDouble(src.Value<double>(i)); break;
        case DataType::kString:
        case DataType::kBinary: dst.AppendString(src.StringValue(i)); break;
        case DataType::kFixedBinary: dst.AppendFixed(src.FixedValue(i)); break;
        case DataType::kList: {
          const Column* sc = src.child();
          Column* dc = dst.child();
          for (int64_t e = src.ListBegin(i); e < src.ListEnd(i); ++e) {
            if (!sc->IsValid(e)) { dc->AppendNull(); continue; }
            switch (sc->type()) {
              case DataType::kBool: dc->AppendBool(sc->Value<uint8_t>(e) != 0); break;
              case DataType::kInt32:
              case DataType::kDate: dc->AppendInt32(sc->Value<int32_t>(e)); break;
              case DataType::kInt64:
              case DataType::kTimestamp: dc->AppendInt64(sc->Value<int64_t>(e)); break;
              case DataType::kFloat: dc->AppendFloat(sc->Value<float>(e)); break;
              case DataType::kDouble: dc->AppendDouble(sc->Value<double>(e)); break;
              case DataType::kString:
              case DataType::kBinary: dc->AppendString(sc->StringValue(e)); break;
              case DataType::kFixedBinary: dc->AppendFixed(sc->FixedValue(e)); break;
              case DataType::kList: return Status::NotSupported("nested lists");
            }
          }
          dst.AppendListEnd();
          break;
        }
      }
    }
  }
  num_rows += other.num_rows;
  return Status::OK();
}

Batch Batch::Slice(int64_t offset, int64_t count) const {
  Batch b;
  b.schema = schema;
  b.num_rows = count;
  for (const auto& c : columns) b.columns.push_back(c.Slice(offset, count));
  return b;
}

}  // namespace ailake::parquet
