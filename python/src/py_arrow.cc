// Arrow C stream export of a SearchResult (py_arrow.h explains the layout and ownership).
#include "py_arrow.h"

#include <cerrno>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <vector>

namespace ailake_py {
namespace {

using ailake::Column;
using ailake::ValueType;

// A valid pointer for zero-length buffers (the spec lets consumers read it; nothing is read).
alignas(64) const int64_t kZeros[8] = {0, 0, 0, 0, 0, 0, 0, 0};

// ---- what the stream exports ----------------------------------------------------------------------

enum class FieldKind { kId, kDistance, kColumn };

struct Field {
  std::string name;
  std::string format;
  FieldKind kind = FieldKind::kColumn;
  const Column* column = nullptr;
  bool nullable = false;
};

bool NeedsLargeOffsets(const std::vector<std::string>& strings) {
  uint64_t total = 0;
  for (const auto& s : strings) total += s.size();
  return total > static_cast<uint64_t>(std::numeric_limits<int32_t>::max());
}

std::vector<Field> FieldsOf(const ailake::SearchResult& r) {
  std::vector<Field> fields;
  fields.push_back({"id", NeedsLargeOffsets(r.ids) ? "U" : "u", FieldKind::kId, nullptr, false});
  fields.push_back({"_distance", "f", FieldKind::kDistance, nullptr, false});
  for (const Column& c : r.values.columns) {
    if (c.name == "id" || c.name == "_distance") continue;  // already exported above
    Field f{c.name, "", FieldKind::kColumn, &c, true};
    switch (c.type) {
      case ValueType::kBool: f.format = "b"; break;
      case ValueType::kInt32: f.format = "i"; break;
      case ValueType::kInt64: f.format = "l"; break;
      case ValueType::kFloat32: f.format = "f"; break;
      case ValueType::kFloat64: f.format = "g"; break;
      case ValueType::kString: f.format = NeedsLargeOffsets(c.strings) ? "U" : "u"; break;
      case ValueType::kBinary: f.format = NeedsLargeOffsets(c.strings) ? "Z" : "z"; break;
      case ValueType::kDate: f.format = "tdD"; break;
      case ValueType::kTimestamp: f.format = "tsu:UTC"; break;
    }
    fields.push_back(std::move(f));
  }
  return fields;
}

// ---- schema ---------------------------------------------------------------------------------------

struct SchemaPrivate {
  std::string format;
  std::string name;
  std::vector<ArrowSchema*> children;
};

void ReleaseSchema(ArrowSchema* s) {
  if (s == nullptr || s->release == nullptr) return;
  auto* p = static_cast<SchemaPrivate*>(s->private_data);
  for (ArrowSchema* c : p->children) {
    if (c->release != nullptr) c->release(c);
    delete c;
  }
  delete p;
  s->release = nullptr;
  s->private_data = nullptr;
}

void FillSchema(ArrowSchema* out, std::string format, std::string name, int64_t flags) {
  auto* p = new SchemaPrivate{std::move(format), std::move(name), {}};
  out->format = p->format.c_str();
  out->name = p->name.c_str();
  out->metadata = nullptr;
  out->flags = flags;
  out->n_children = 0;
  out->children = nullptr;
  out->dictionary = nullptr;
  out->release = &ReleaseSchema;
  out->private_data = p;
}

void ExportSchema(const std::vector<Field>& fields, ArrowSchema* out) {
  FillSchema(out, "+s", "", 0);
  auto* p = static_cast<SchemaPrivate*>(out->private_data);
  for (const Field& f : fields) {
    auto* child = new ArrowSchema;
    FillSchema(child, f.format, f.name, f.nullable ? ARROW_FLAG_NULLABLE : 0);
    p->children.push_back(child);
  }
  out->n_children = static_cast<int64_t>(p->children.size());
  out->children = p->children.data();
}

// ---- arrays ---------------------------------------------------------------------------------------

struct ArrayPrivate {
  std::shared_ptr<const ailake::SearchResult> keep;  // zero-copy buffers point into it
  std::vector<std::vector<uint8_t>> owned;            // buffers built for this export
  std::vector<const void*> buffers;
  std::vector<ArrowArray*> children;
};

void ReleaseArray(ArrowArray* a) {
  if (a == nullptr || a->release == nullptr) return;
  auto* p = static_cast<ArrayPrivate*>(a->private_data);
  for (ArrowArray* c : p->children) {
    if (c->release != nullptr) c->release(c);
    delete c;
  }
  delete p;
  a->release = nullptr;
  a->private_data = nullptr;
}

ArrayPrivate* FillArray(ArrowArray* out, std::shared_ptr<const ailake::SearchResult> keep, int64_t length) {
  auto* p = new ArrayPrivate;
  p->keep = std::move(keep);
  std::memset(out, 0, sizeof(*out));
  out->length = length;
  out->release = &ReleaseArray;
  out->private_data = p;
  return p;
}

void SetBuffers(ArrowArray* out, ArrayPrivate* p) {
  out->n_buffers = static_cast<int64_t>(p->buffers.size());
  out->buffers = p->buffers.data();
}

const void* Own(ArrayPrivate* p, std::vector<uint8_t> bytes) {
  if (bytes.empty()) return kZeros;
  p->owned.push_back(std::move(bytes));
  return p->owned.back().data();
}

template <typename T>
const void* Borrow(const std::vector<T>& v) {
  return v.empty() ? static_cast<const void*>(kZeros) : static_cast<const void*>(v.data());
}

// Validity bitmap (LSB first) from one byte per row; nullptr when no row is null.
const void* Validity(ArrayPrivate* p, const Column& c, int64_t* null_count) {
  *null_count = 0;
  if (c.valid.empty()) return nullptr;
  const size_t n = c.size();
  std::vector<uint8_t> bits((n + 7) / 8, 0);
  for (size_t i = 0; i < n; ++i) {
    if (c.valid[i] != 0) {
      bits[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
    } else {
      ++*null_count;
    }
  }
  if (*null_count == 0) return nullptr;
  return Own(p, std::move(bits));
}

template <typename Offset>
void StringBuffers(ArrayPrivate* p, const std::vector<std::string>& strings) {
  std::vector<uint8_t> offsets((strings.size() + 1) * sizeof(Offset));
  std::vector<uint8_t> data;
  Offset pos = 0;
  std::memcpy(offsets.data(), &pos, sizeof(Offset));
  for (size_t i = 0; i < strings.size(); ++i) {
    data.insert(data.end(), strings[i].begin(), strings[i].end());
    pos = static_cast<Offset>(pos + static_cast<Offset>(strings[i].size()));
    std::memcpy(offsets.data() + (i + 1) * sizeof(Offset), &pos, sizeof(Offset));
  }
  p->buffers.push_back(Own(p, std::move(offsets)));
  p->buffers.push_back(Own(p, std::move(data)));
}

template <typename T, typename Src>
std::vector<uint8_t> Narrow(const std::vector<Src>& src) {
  std::vector<uint8_t> out(src.size() * sizeof(T));
  for (size_t i = 0; i < src.size(); ++i) {
    T v = static_cast<T>(src[i]);
    std::memcpy(out.data() + i * sizeof(T), &v, sizeof(T));
  }
  return out;
}

void ExportField(const Field& f, const std::shared_ptr<const ailake::SearchResult>& r, ArrowArray* out) {
  const int64_t n = static_cast<int64_t>(r->ids.size());
  ArrayPrivate* p = FillArray(out, r, n);
  if (f.kind == FieldKind::kId) {
    p->buffers.push_back(nullptr);
    if (f.format == "U") StringBuffers<int64_t>(p, r->ids); else StringBuffers<int32_t>(p, r->ids);
    SetBuffers(out, p);
    return;
  }
  if (f.kind == FieldKind::kDistance) {
    p->buffers.push_back(nullptr);
    p->buffers.push_back(Borrow(r->distances));
    SetBuffers(out, p);
    return;
  }
  const Column& c = *f.column;
  p->buffers.push_back(Validity(p, c, &out->null_count));
  switch (c.type) {
    case ValueType::kBool: {
      std::vector<uint8_t> bits((c.ints.size() + 7) / 8, 0);
      for (size_t i = 0; i < c.ints.size(); ++i) {
        if (c.ints[i] != 0) bits[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
      }
      p->buffers.push_back(Own(p, std::move(bits)));
      break;
    }
    case ValueType::kInt32: p->buffers.push_back(Own(p, Narrow<int32_t>(c.ints))); break;
    case ValueType::kDate: p->buffers.push_back(Own(p, Narrow<int32_t>(c.ints))); break;
    case ValueType::kInt64:
    case ValueType::kTimestamp: p->buffers.push_back(Borrow(c.ints)); break;
    case ValueType::kFloat32: p->buffers.push_back(Own(p, Narrow<float>(c.doubles))); break;
    case ValueType::kFloat64: p->buffers.push_back(Borrow(c.doubles)); break;
    case ValueType::kString:
    case ValueType::kBinary:
      if (f.format == "U" || f.format == "Z") StringBuffers<int64_t>(p, c.strings); else StringBuffers<int32_t>(p, c.strings);
      break;
  }
  SetBuffers(out, p);
}

void ExportBatch(const std::vector<Field>& fields, const std::shared_ptr<const ailake::SearchResult>& r,
                 ArrowArray* out) {
  ArrayPrivate* p = FillArray(out, r, static_cast<int64_t>(r->ids.size()));
  p->buffers.push_back(nullptr);  // a struct array has only a validity buffer; no row is null
  SetBuffers(out, p);
  for (const Field& f : fields) {
    auto* child = new ArrowArray;
    std::memset(child, 0, sizeof(*child));
    p->children.push_back(child);  // owned before filling: a throw below still frees it
    ExportField(f, r, child);
  }
  out->n_children = static_cast<int64_t>(p->children.size());
  out->children = p->children.data();
}

// ---- the stream -----------------------------------------------------------------------------------

struct StreamPrivate {
  std::shared_ptr<const ailake::SearchResult> result;
  std::vector<Field> fields;
  bool done = false;
  std::string error;
};

int StreamGetSchema(ArrowArrayStream* s, ArrowSchema* out) {
  auto* p = static_cast<StreamPrivate*>(s->private_data);
  try {
    ExportSchema(p->fields, out);
    return 0;
  } catch (const std::bad_alloc&) {
    p->error = "out of memory exporting the schema";
    return ENOMEM;
  }
}

int StreamGetNext(ArrowArrayStream* s, ArrowArray* out) {
  auto* p = static_cast<StreamPrivate*>(s->private_data);
  if (p->done) {
    std::memset(out, 0, sizeof(*out));  // end of stream: a released array
    return 0;
  }
  try {
    ExportBatch(p->fields, p->result, out);
    p->done = true;
    return 0;
  } catch (const std::bad_alloc&) {
    if (out->release != nullptr) out->release(out);
    p->error = "out of memory exporting the search result";
    return ENOMEM;
  }
}

const char* StreamLastError(ArrowArrayStream* s) {
  auto* p = static_cast<StreamPrivate*>(s->private_data);
  return p->error.empty() ? nullptr : p->error.c_str();
}

void StreamRelease(ArrowArrayStream* s) {
  if (s == nullptr || s->release == nullptr) return;
  delete static_cast<StreamPrivate*>(s->private_data);
  s->private_data = nullptr;
  s->release = nullptr;
}

void CapsuleDestructor(PyObject* capsule) {
  auto* s = static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule, "arrow_array_stream"));
  if (s == nullptr) {
    PyErr_Clear();
    return;
  }
  if (s->release != nullptr) s->release(s);  // not moved out by a consumer
  delete s;
}

}  // namespace

void ExportSearchResultStream(std::shared_ptr<const ailake::SearchResult> result, ArrowArrayStream* out) {
  auto* p = new StreamPrivate;
  p->fields = FieldsOf(*result);
  p->result = std::move(result);
  out->get_schema = &StreamGetSchema;
  out->get_next = &StreamGetNext;
  out->get_last_error = &StreamLastError;
  out->release = &StreamRelease;
  out->private_data = p;
}

PyObject* SearchResultStreamCapsule(std::shared_ptr<const ailake::SearchResult> result) {
  auto* s = new ArrowArrayStream;
  ExportSearchResultStream(std::move(result), s);
  PyObject* cap = PyCapsule_New(s, "arrow_array_stream", &CapsuleDestructor);
  if (cap == nullptr) {
    s->release(s);
    delete s;
  }
  return cap;
}

}  // namespace ailake_py
