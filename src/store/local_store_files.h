// The file objects LocalStore hands out: a positional reader over an open descriptor and the
// atomic writer (temp file -> fsync -> rename/link -> fsync folder). Internal to the store layer.
#pragma once

#include <memory>
#include <string>

#include "core/io.h"
#include "store/posix_fd.h"
#include "store/store.h"

namespace ailake {

// `name` is what error messages call the object (the store and key).
std::shared_ptr<RandomAccessFile> MakeFdReadable(std::string name, UniqueFd fd);

// Creates the temp file ".ailake-tmp-<uuid>" in `dir_fd` and returns a writer that publishes it as
// `leaf` on Close per `mode`. Destroying the writer unclosed removes the temp file.
Result<std::unique_ptr<WritableFile>> MakeAtomicWritable(std::string name, UniqueFd dir_fd, std::string leaf,
                                                         PublishMode mode);

}  // namespace ailake
