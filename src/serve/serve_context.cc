#include "serve/serve_context.h"

namespace ailake::serve {

Result<std::shared_ptr<Table>> WarmTables::Get(const std::string& given) {
  // "docs" and "default.docs" are one table: one handle, one cache.
  const std::string name = given.find('.') == std::string::npos ? "default." + given : given;
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  auto it = tables_.find(name);
  if (it == tables_.end()) {
    AILAKE_ASSIGN_OR_RETURN(std::unique_ptr<Table> t, warehouse_.OpenTable(name));
    Entry e{std::shared_ptr<Table>(std::move(t)), now};
    it = tables_.emplace(name, std::move(e)).first;
    return it->second.table;
  }
  if (now - it->second.refreshed >= std::chrono::milliseconds(refresh_ms_)) {
    Status st = it->second.table->Refresh();
    if (st.code() == StatusCode::kNotFound) {
      tables_.erase(it);  // dropped meanwhile
      return st;
    }
    AILAKE_RETURN_IF_ERROR(st);
    it->second.refreshed = now;
  }
  return it->second.table;
}

size_t WarmTables::open_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tables_.size();
}

MigrationRates::Rate MigrationRates::Observe(const std::string& job_id, int64_t rows_done, int64_t rows_total) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  auto [it, added] = samples_.try_emplace(job_id);
  Sample& s = it->second;
  if (added || rows_done < s.last_rows) {
    s = Sample{now, now, rows_done, rows_done, {}};
    return s.rate;
  }
  if (rows_done > s.last_rows) {
    const double secs = std::chrono::duration<double>(now - s.first_at).count();
    if (secs > 0) s.rate.rows_per_s = static_cast<double>(rows_done - s.first_rows) / secs;
    s.last_at = now;
    s.last_rows = rows_done;
  }
  if (s.rate.rows_per_s > 0 && rows_total >= rows_done) {
    s.rate.eta_s = static_cast<double>(rows_total - rows_done) / s.rate.rows_per_s;
  }
  return s.rate;
}

}  // namespace ailake::serve
