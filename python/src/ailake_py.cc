// The _ailake extension module: registers each concept's bindings and maps ailake::Status to the
// exception classes defined in ailake/_errors.py (one per StatusCode, all under ailake.Error).
#include <pybind11/pybind11.h>

#include "py_common.h"

namespace ailake_py {
namespace {

// Python class name per StatusCode (ailake/_errors.py defines them).
const char* ErrorClassName(ailake::StatusCode code) {
  using C = ailake::StatusCode;
  switch (code) {
    case C::kInvalidArgument: return "InvalidArgument";
    case C::kNotFound: return "NotFound";
    case C::kAlreadyExists: return "AlreadyExists";
    case C::kCorruption: return "Corruption";
    case C::kIOError: return "IOError";
    case C::kNotSupported: return "NotSupported";
    case C::kOutOfRange: return "OutOfRange";
    case C::kCommitConflict: return "CommitConflict";
    case C::kInternal: return "Internal";
    case C::kUnavailable: return "Unavailable";
    case C::kTimeout: return "Timeout";
    case C::kAborted: return "Aborted";
    case C::kResourceExhausted: return "ResourceExhausted";
    case C::kOk: break;
  }
  return "Error";
}

}  // namespace

void ThrowStatus(const ailake::Status& st) {
  py::object errors = py::module_::import("ailake._errors");
  py::object cls = errors.attr(ErrorClassName(st.code()));
  py::object exc = cls(py::str(st.message()));
  PyErr_SetObject(cls.ptr(), exc.ptr());
  throw py::error_already_set();
}

void ThrowInvalid(const std::string& message) {
  ThrowStatus(ailake::Status::InvalidArgument(message));
}

}  // namespace ailake_py

PYBIND11_MODULE(_ailake, m) {
  m.doc() = "ailake native module (use the `ailake` package, not this module directly)";
  m.attr("__version__") = ailake::Version();
  m.def("parse_instant_ms", [](const std::string& text) {
    return ailake_py::Unwrap(ailake::ParseInstantMs(text));
  }, py::arg("text"), "'2024-01-02T03:04:05Z', '2024-01-02' or integer ms -> ms since the epoch");
  m.def("format_instant_ms", &ailake::FormatInstantMs, py::arg("ms"));
  m.def("now_ms", &ailake::NowMs);
  ailake_py::RegisterEmbedder(m);
  ailake_py::RegisterSearchResult(m);
  ailake_py::RegisterTable(m);
  ailake_py::RegisterWarehouse(m);
  ailake_py::RegisterMigration(m);
}
