// The Arrow C data interface and C stream interface (ABI-stable structs from the Arrow format
// specification, written out here because Arrow C++ is not a dependency), and the export of a search
// result as a stream of one struct array: id (utf8), _distance (float32), then the requested columns.
//
// Ownership (the spec's rules): every exported struct has a release callback that frees what its
// private_data holds and sets release to NULL; a parent's release releases the children the consumer
// did not move out. Buffers point straight into the SearchResult where the layouts agree (distances,
// int64, double and timestamp values: zero copy; the result is kept alive by a shared_ptr in every
// array's private data); others (bit-packed validity and booleans, utf8 offsets + bytes, int32, float32,
// date32) are built once per export.
#pragma once

#include <Python.h>

#include <cstdint>
#include <memory>

#include "ailake/table.h"

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};

#endif  // ARROW_C_DATA_INTERFACE

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);
  void (*release)(struct ArrowArrayStream*);
  void* private_data;
};

#endif  // ARROW_C_STREAM_INTERFACE

namespace ailake_py {

// Fills *out with a stream over `result` (one batch). Never fails except on allocation.
void ExportSearchResultStream(std::shared_ptr<const ailake::SearchResult> result, ArrowArrayStream* out);

// A new PyCapsule named "arrow_array_stream" owning a stream over `result` (the capsule's destructor
// releases the stream unless a consumer moved it out). Returns a new reference.
PyObject* SearchResultStreamCapsule(std::shared_ptr<const ailake::SearchResult> result);

}  // namespace ailake_py
