// Headless Chromium (the Debian package 'chromium', installed by scripts/setup.sh) for tests that
// render a page the way a user's browser does: the server's dashboard, the eval HTML report.
//
// No request leaves the machine: every host name resolves to nothing except 127.0.0.1, no proxy,
// no background networking, sync, extensions or first-run fetches; a fresh profile per test. A
// missing chromium is a test failure naming scripts/setup.sh, never a skip.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace ailake::test_util {

// The chromium binary, or "" when none is installed.
std::string FindChromium();

class HeadlessChromium {
 public:
  // `profile`: a folder for the browser's profile (created by chromium; give one under the test's
  // scratch folder).
  explicit HeadlessChromium(std::filesystem::path profile) : profile_(std::move(profile)) {}

  // Loads `url` (http://127.0.0.1:... or file:///...), lets its scripts run for up to
  // `budget_ms` of virtual time, and puts the DOM as serialised after that in *dom.
  ::testing::AssertionResult DumpDom(const std::string& url, std::string* dom, int budget_ms = 10000) const;
  // Renders `url` at width x height into the PNG `png` (replaced) and checks it is not empty.
  ::testing::AssertionResult Screenshot(const std::string& url, const std::filesystem::path& png, int width = 1200,
                                        int height = 800, int budget_ms = 10000) const;

 private:
  std::vector<std::string> Argv(int budget_ms) const;
  std::filesystem::path profile_;
};

// Every absolute http(s) URL in `text` starts with `allowed_prefix` ("" allows none): the page
// references nothing but the given origin.
::testing::AssertionResult OnlyUrlsUnder(const std::string& text, const std::string& allowed_prefix);

}  // namespace ailake::test_util
