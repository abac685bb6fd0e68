// The embedder spec of a migration job as it may be persisted, shown and trusted.
//
// Job records (job.json) are data, never instructions (guide §1): anything in the warehouse may have
// been edited by someone else. So:
//   - the persisted spec is redacted: URL user:password@ and query strings (key=...) become "***",
//     and command arguments that look like secrets (key=, token=, secret=, password=) lose their
//     value; `migrate status` shows it as is;
//   - a spec that runs a program (command:) or sends the texts somewhere (http:) is never taken from
//     job.json: resume and run-task need it again from the user (--embedder), and it must redact to
//     the persisted spec (so a changed program, URL or option is refused, a rotated secret is not);
//   - only the built-in hash embedder (no program, no network) is rebuilt from the record alone.
//
// Until the trust engineer's general redaction helper lands in src/embed, this file holds the
// migration's own rules (it reuses embed::RedactUrl for URLs).
#pragma once

#include <string>

#include "ailake/status.h"

namespace ailake::migrate {

// `spec` without secrets (idempotent: redacting a redacted spec changes nothing).
std::string RedactEmbedderSpec(const std::string& spec);

// True when the spec can be rebuilt from a job record without the user (hash: only).
bool SpecRunsNothing(const std::string& persisted_spec);

// OK when `given` (from the user) redacts to `persisted`; else InvalidArgument naming both (redacted).
Status CheckEmbedderSpec(const std::string& given, const std::string& persisted, const std::string& job_id);

}  // namespace ailake::migrate
