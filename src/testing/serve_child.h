// An `ailake serve` child process for tests: started with `--port 0 --format json`, ready once its
// "listening" line arrived through a pipe (a blocking read with a deadline, not a sleep), stopped
// with SIGTERM. The child inherits the environment (AILAKE_WAREHOUSE, AWS_*, PG*) except
// AILAKE_SERVE_TOKEN, so a test's own token never leaks into it.
#pragma once

#include <spawn.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "ailake/status.h"

namespace ailake::test_util {

class ServeChild {
 public:
  // Runs `binary serve args... --port 0 --format json` with stderr to err_path, and waits up to
  // 60 s for the listening line. An error carries the exit status and stderr when the child
  // stopped before listening.
  static Result<std::unique_ptr<ServeChild>> Start(const std::string& binary, const std::vector<std::string>& args,
                                                   const std::string& err_path);
  ~ServeChild();  // SIGKILL and reap a child still running
  ServeChild(const ServeChild&) = delete;
  ServeChild& operator=(const ServeChild&) = delete;

  int port() const { return port_; }
  const std::string& listening_line() const { return listening_; }
  // SIGTERM, then waits: the exit status (128 + signal when killed). *rest gets what the child
  // printed on stdout after the listening line.
  int Stop(std::string* rest = nullptr);

 private:
  ServeChild() = default;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
  std::string listening_, buffered_;
};

// Spawns `binary args...` with the given file actions and this process's environment minus
// AILAKE_SERVE_TOKEN: the child's pid, or -1 with *error set (errno of posix_spawn).
pid_t SpawnWithoutServeToken(const std::string& binary, const std::vector<std::string>& args,
                             const posix_spawn_file_actions_t* actions, int* error);

// The whole of a small file ("" when missing).
std::string ReadWholeFile(const std::string& path);

}  // namespace ailake::test_util
