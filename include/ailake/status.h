// Status and Result<T>: how every fallible ailake call reports failure.
//
// No exception crosses the public API. A Status carries a code a program can branch on and a
// message written for the person reading it: what failed, on which file/column/row, and what to do.
#pragma once

#include "ailake/export.h"
#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace ailake {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,   // the caller passed something wrong (bad flag, wrong dimension, NaN)
  kNotFound = 2,          // table, file, column, snapshot does not exist
  kAlreadyExists = 3,     // create-if-absent lost, or a table that is already there
  kCorruption = 4,        // bytes read from storage are not what the format says
  kIOError = 5,           // the OS or the store failed
  kNotSupported = 6,      // valid input we do not handle (an unknown encoding, say)
  kOutOfRange = 7,        // offsets/sizes beyond a limit or past EOF
  kCommitConflict = 8,    // a concurrent commit made this change invalid; re-plan
  kInternal = 9,          // a bug in ailake
  kUnavailable = 10,      // a server did not answer; may succeed later
  kTimeout = 11,
  kAborted = 12,          // the job was aborted by the user
  kResourceExhausted = 13 // a configured memory/size cap was hit
};

AILAKE_EXPORT const char* StatusCodeName(StatusCode code);

class [[nodiscard]] AILAKE_EXPORT Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status NotSupported(std::string m) { return {StatusCode::kNotSupported, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
  static Status CommitConflict(std::string m) { return {StatusCode::kCommitConflict, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Timeout(std::string m) { return {StatusCode::kTimeout, std::move(m)}; }
  static Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool Is(StatusCode c) const { return code_ == c; }

  // "Corruption: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>" (keeps the code).
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = Status::Internal("Result constructed from an OK status without a value");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  T ValueOr(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace ailake

#define AILAKE_CONCAT_IMPL(a, b) a##b
#define AILAKE_CONCAT(a, b) AILAKE_CONCAT_IMPL(a, b)

#define AILAKE_RETURN_IF_ERROR(expr)              \
  do {                                            \
    ::ailake::Status _st = (expr);                \
    if (!_st.ok()) return _st;                    \
  } while (0)

#define AILAKE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()

// AILAKE_ASSIGN_OR_RETURN(auto x, Foo()); — returns the error from the enclosing function.
#define AILAKE_ASSIGN_OR_RETURN(lhs, expr) \
  AILAKE_ASSIGN_OR_RETURN_IMPL(AILAKE_CONCAT(_res_, __LINE__), lhs, expr)
