#include "testing/chromium.h"

#include <regex>

#include "testing/fork_child.h"

namespace ailake::test_util {

std::string FindChromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"}) {
    if (std::filesystem::exists(p)) return p;
  }
  return "";
}

std::vector<std::string> HeadlessChromium::Argv(int budget_ms) const {
  return {"timeout", "120", FindChromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--no-proxy-server", "--no-first-run", "--disable-background-networking", "--disable-sync",
          "--disable-extensions", "--disable-component-update", "--disable-default-apps",
          // Every host name resolves to nothing except the loopback address.
          "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--user-data-dir=" + profile_.string(),
          "--virtual-time-budget=" + std::to_string(budget_ms)};
}

namespace {

::testing::AssertionResult NoChromium() {
  return ::testing::AssertionFailure() << "chromium is not installed: run scripts/setup.sh (it installs the Debian "
                                          "package 'chromium' this test drives headless)";
}

}  // namespace

::testing::AssertionResult HeadlessChromium::DumpDom(const std::string& url, std::string* dom, int budget_ms) const {
  if (FindChromium().empty()) return NoChromium();
  std::vector<std::string> argv = Argv(budget_ms);
  argv.push_back("--dump-dom");
  argv.push_back(url);
  CommandResult r = RunCommand(argv);
  *dom = r.out;
  if (r.code != 0) {
    return ::testing::AssertionFailure() << "chromium --dump-dom " << url << " exited with " << r.code
                                         << "; stderr: " << r.err.substr(0, 2000);
  }
  if (dom->find("<html") == std::string::npos) {
    return ::testing::AssertionFailure() << "chromium printed no DOM for " << url << ": " << dom->substr(0, 2000);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult HeadlessChromium::Screenshot(const std::string& url, const std::filesystem::path& png,
                                                        int width, int height, int budget_ms) const {
  if (FindChromium().empty()) return NoChromium();
  std::filesystem::remove(png);
  std::vector<std::string> argv = Argv(budget_ms);
  argv.push_back("--screenshot=" + png.string());
  argv.push_back("--window-size=" + std::to_string(width) + "," + std::to_string(height));
  argv.push_back(url);
  CommandResult r = RunCommand(argv);
  if (r.code != 0) {
    return ::testing::AssertionFailure() << "chromium --screenshot " << url << " exited with " << r.code
                                         << "; stderr: " << r.err.substr(0, 2000);
  }
  std::error_code ec;
  const auto size = std::filesystem::file_size(png, ec);
  if (ec || size < 1000) {
    return ::testing::AssertionFailure() << "chromium wrote no screenshot (or an empty one) at " << png.string();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult OnlyUrlsUnder(const std::string& text, const std::string& allowed_prefix) {
  static const std::regex url_re(R"(https?://[^"'\s<>]+)", std::regex::icase);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), url_re); it != std::sregex_iterator(); ++it) {
    if (allowed_prefix.empty() || it->str().rfind(allowed_prefix, 0) != 0) {
      return ::testing::AssertionFailure() << "the page references " << it->str();
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace ailake::test_util
