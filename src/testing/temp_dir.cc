#include "testing/temp_dir.h"

#include <cstdlib>
#include <system_error>

#include "core/uuid.h"

namespace ailake::test_util {

TempDir::TempDir(std::string_view prefix, bool create)
    : path_(std::filesystem::temp_directory_path() /
            ("ailake_" + std::string(prefix) + "_" + Uuid::Random().ToString())) {
  if (create) std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  if (keep_ || std::getenv("AILAKE_KEEP_TEST_DIRS")) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace ailake::test_util
