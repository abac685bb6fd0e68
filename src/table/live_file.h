// Opening a file that table metadata lists (data or delete file), as every reader must: the location
// is confined to the table's folder (iceberg::Locations::KeyOf) and the object's size must equal the
// size its manifest records. A file swapped for another (same name, other bytes) almost always changes
// size; trusting it would resurrect deleted rows (position deletes point into the old file) and a
// migration would bake the wrong rows in. Same-size swaps are caught by `verify` (row counts, model,
// index) and `verify --deep`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ailake/status.h"
#include "core/io.h"
#include "table/table.h"

namespace ailake::table {

// kCorruption naming the file, the two sizes and what to do when the sizes differ.
Result<std::shared_ptr<RandomAccessFile>> OpenLiveFile(Table& table, const std::string& location,
                                                       int64_t manifest_size);

// The check alone, for callers that already opened the object.
Status CheckLiveFileSize(const std::string& location, uint64_t actual, int64_t manifest_size);

}  // namespace ailake::table
