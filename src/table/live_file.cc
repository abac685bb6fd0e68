#include "table/live_file.h"

namespace ailake::table {

Status CheckLiveFileSize(const std::string& location, uint64_t actual, int64_t manifest_size) {
  if (manifest_size >= 0 && actual == static_cast<uint64_t>(manifest_size)) return Status::OK();
  return Status::Corruption(location + ": size " + std::to_string(actual) + " differs from the manifest's " +
                            std::to_string(manifest_size) +
                            ": the file was replaced or damaged after it was committed; restore it from a backup, or "
                            "roll the table back to a snapshot without it ('ailake verify' lists every such file)");
}

Result<std::shared_ptr<RandomAccessFile>> OpenLiveFile(Table& table, const std::string& location,
                                                       int64_t manifest_size) {
  AILAKE_ASSIGN_OR_RETURN(std::string key, table.locations().KeyOf(location));
  AILAKE_ASSIGN_OR_RETURN(auto readable, table.catalog().store().OpenReadable(key));
  AILAKE_ASSIGN_OR_RETURN(uint64_t size, readable->Size());
  AILAKE_RETURN_IF_ERROR(CheckLiveFileSize(location, size, manifest_size));
  return readable;
}

}  // namespace ailake::table
