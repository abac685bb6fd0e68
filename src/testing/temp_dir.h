// A scratch folder for one test: unique under the system temp dir, removed with the object.
//
// Set AILAKE_KEEP_TEST_DIRS to keep the folders (to look at what a failing test left behind).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace ailake::test_util {

class TempDir {
 public:
  // "<temp>/ailake_<prefix>_<uuid>". `create` false leaves the folder to the code under test (a
  // warehouse that must not exist yet); it is removed all the same.
  explicit TempDir(std::string_view prefix, bool create = true);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  // Leaves the folder in place (a failed test's files, to look at).
  void Keep() { keep_ = true; }
  // path() / name.
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
  bool keep_ = false;
};

}  // namespace ailake::test_util
