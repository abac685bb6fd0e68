// Test support (tests only): a throwaway PostgreSQL 15 server on loopback, started by the test.
//
//   auto pg = test_util::PgServer::Start();   // fails (never skips) saying what to install
//   ASSERT_TRUE(pg.ok()) << pg.status().ToString();
//   ASSERT_TRUE((*pg)->CreateDatabase("t1").ok());
//   auto cat = OpenCatalog((*pg)->ConnString("t1"), warehouse);
//
// initdb refuses to run as root, so as root the server's files and processes belong to `nobody`
// (a temp folder chowned to it; the child drops to it with setgid/setuid before exec). The server
// listens on 127.0.0.1:<free port> with its unix socket in the temp folder, trust authentication
// for the user "ailake", fsync off (a test server). Start() polls (bounded) until a connection
// succeeds; the destructor stops it (SIGINT: fast shutdown; SIGKILL to its process group if it
// lingers) and removes the folder. Binaries: $AILAKE_PG_BIN or /usr/lib/postgresql/15/bin.
#pragma once

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ailake/status.h"
#include "core/uuid.h"
#include "store/moto_test_server.h"  // FreeLoopbackPort, Tail

namespace ailake::test_util {

class PgServer {
 public:
  static Result<std::unique_ptr<PgServer>> Start() {
    const char* env_bin = std::getenv("AILAKE_PG_BIN");
    const std::string bin = env_bin && *env_bin ? env_bin : "/usr/lib/postgresql/15/bin";
    if (::access((bin + "/initdb").c_str(), X_OK) != 0 || ::access((bin + "/postgres").c_str(), X_OK) != 0) {
      return Status::NotFound("PostgreSQL server binaries not found in " + bin +
                              ": install them (Debian: apt-get install postgresql-15) or set AILAKE_PG_BIN");
    }
    std::unique_ptr<PgServer> s(new PgServer());
    s->dir_ = std::filesystem::temp_directory_path() / ("ailake-pg-" + Uuid::Random().ToString());
    if (::mkdir(s->dir_.c_str(), 0700) != 0) return Status::IOError("cannot create " + s->dir_.string());
    if (::geteuid() == 0) {
      passwd* pw = ::getpwnam("nobody");
      if (pw == nullptr) return Status::NotFound("running as root needs the user 'nobody' to run PostgreSQL");
      s->uid_ = pw->pw_uid;
      s->gid_ = pw->pw_gid;
      if (::chown(s->dir_.c_str(), s->uid_, s->gid_) != 0) return Status::IOError("cannot chown " + s->dir_.string());
    }
    const std::string log = (s->dir_ / "server.log").string();
    const std::string data = (s->dir_ / "data").string();
    pid_t init = s->Spawn({bin + "/initdb", "-D", data, "-U", "ailake", "-A", "trust", "-E", "UTF8", "--locale=C",
                           "--no-sync"},
                          log);
    int status = 0;
    if (init < 0 || ::waitpid(init, &status, 0) != init || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      return Status::Internal("initdb failed; log: " + Tail(log));
    }
    for (int tries = 0; tries < 3; ++tries) {
      s->port_ = FreeLoopbackPort();
      s->pid_ = s->Spawn({bin + "/postgres", "-D", data, "-p", std::to_string(s->port_), "-k", s->dir_.string(), "-c",
                          "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
                          "full_page_writes=off", "-c", "max_connections=80"},
                         log);
      if (s->pid_ < 0) return Status::IOError("fork failed for postgres");
      for (int i = 0; i < 1200; ++i) {  // bounded: 60 s
        if (s->Ping()) return s;
        if (::waitpid(s->pid_, &status, WNOHANG) == s->pid_) {
          s->pid_ = -1;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (s->pid_ > 0) return Status::Timeout("postgres did not accept connections within 60 s; log: " + Tail(log));
    }
    return Status::Unavailable("postgres exited before serving (3 tries); log: " + Tail(log));
  }

  ~PgServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGINT);  // fast shutdown
      int status = 0;
      bool gone = false;
      for (int i = 0; i < 200 && !gone; ++i) {
        gone = ::waitpid(pid_, &status, WNOHANG) == pid_;
        if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (!gone) {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
      }
    }
    std::error_code ec;
    if (!dir_.empty() && !std::getenv("AILAKE_KEEP_TEST_DIRS")) std::filesystem::remove_all(dir_, ec);
  }

  int port() const { return port_; }
  // libpq URI for a database on this server (user "ailake", trust authentication).
  std::string ConnString(const std::string& db) const {
    return "postgresql://ailake@127.0.0.1:" + std::to_string(port_) + "/" + db;
  }

  // Runs SQL (no parameters) on `db`; the error names the server's message.
  Status Exec(const std::string& db, const std::string& sql) const {
    PGconn* c = PQconnectdb(ConnString(db).c_str());
    Status st;
    if (PQstatus(c) != CONNECTION_OK) {
      st = Status::Unavailable(std::string("connect: ") + PQerrorMessage(c));
    } else {
      PGresult* r = PQexec(c, sql.c_str());
      if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        st = Status::Internal(sql + ": " + PQresultErrorMessage(r));
      }
      PQclear(r);
    }
    PQfinish(c);
    return st;
  }
  // Rows of a query as strings (tests looking at the tables as another tool would).
  std::vector<std::vector<std::string>> QueryRows(const std::string& db, const std::string& sql) const {
    std::vector<std::vector<std::string>> rows;
    PGconn* c = PQconnectdb(ConnString(db).c_str());
    if (PQstatus(c) == CONNECTION_OK) {
      PGresult* r = PQexec(c, sql.c_str());
      if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        for (int i = 0; i < PQntuples(r); ++i) {
          std::vector<std::string> row;
          for (int j = 0; j < PQnfields(r); ++j) row.push_back(PQgetisnull(r, i, j) ? "<null>" : PQgetvalue(r, i, j));
          rows.push_back(std::move(row));
        }
      }
      PQclear(r);
    }
    PQfinish(c);
    return rows;
  }
  Status CreateDatabase(const std::string& db) const { return Exec("postgres", "CREATE DATABASE " + db); }

 private:
  PgServer() = default;

  bool Ping() const {
    PGconn* c = PQconnectdb((ConnString("postgres") + "?connect_timeout=2").c_str());
    const bool ok = PQstatus(c) == CONNECTION_OK;
    PQfinish(c);
    return ok;
  }

  // fork + (as root: drop to nobody) + exec, output to `log`, own process group.
  pid_t Spawn(const std::vector<std::string>& argv, const std::string& log) const {
    pid_t pid = ::fork();
    if (pid != 0) return pid;
    ::setpgid(0, 0);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0666);
    if (fd >= 0) {
      if (uid_ != 0) (void)!::fchown(fd, uid_, gid_);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    if (uid_ != 0) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(gid_) != 0 || ::setuid(uid_) != 0) _exit(126);
    }
    if (::chdir(dir_.c_str()) != 0) _exit(125);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    _exit(127);
  }

  std::filesystem::path dir_;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  int port_ = -1;
  pid_t pid_ = -1;
};

}  // namespace ailake::test_util
