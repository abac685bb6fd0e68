// ReadFvecs (include/ailake/file.h).
#include <cstring>

#include "ailake/file.h"
#include "core/io.h"

namespace ailake {

Result<FvecsData> ReadFvecs(const std::string& path, size_t max_vectors) {
  AILAKE_ASSIGN_OR_RETURN(auto bytes, ReadFileToBytes(path, 4ull << 30));
  FvecsData out;
  size_t at = 0;
  while (at < bytes.size() && out.count < max_vectors) {
    if (bytes.size() - at < 4) return Status::Corruption(path + ": truncated .fvecs record header at byte " + std::to_string(at));
    int32_t dim;
    std::memcpy(&dim, bytes.data() + at, 4);
    if (dim <= 0 || dim > 65536) {
      return Status::Corruption(path + ": .fvecs record at byte " + std::to_string(at) + " has dim " + std::to_string(dim));
    }
    if (out.dim == 0) out.dim = static_cast<size_t>(dim);
    if (static_cast<size_t>(dim) != out.dim) {
      return Status::Corruption(path + ": .fvecs vectors have different dims (" + std::to_string(out.dim) + " and " +
                                std::to_string(dim) + ")");
    }
    at += 4;
    if (bytes.size() - at < 4ull * out.dim) return Status::Corruption(path + ": truncated .fvecs vector");
    size_t base = out.values.size();
    out.values.resize(base + out.dim);
    std::memcpy(out.values.data() + base, bytes.data() + at, 4 * out.dim);
    at += 4 * out.dim;
    ++out.count;
  }
  if (out.count == 0) return Status::InvalidArgument(path + ": no vectors in the file");
  return out;
}

}  // namespace ailake
