#include "catalog/fs_catalog.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace ailake::catalog {

namespace {
constexpr const char* kNamespaceFile = ".namespace.json";

Result<int64_t> ParseVersion(const std::string& text, const std::string& where) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
  int64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size() || v < 1) {
    return Status::Corruption(where + ": '" + t + "' is not a metadata version number");
  }
  return v;
}
}  // namespace

std::string FsCatalog::MetadataKey(const TableIdent& ident, int64_t version) {
  return TableKey(ident) + "/metadata/v" + std::to_string(version) + ".metadata.json";
}

std::string FsCatalog::HintKey(const TableIdent& ident) { return TableKey(ident) + "/metadata/version-hint.text"; }

Status FsCatalog::CreateNamespace(const std::string& ns, const std::map<std::string, std::string>& properties) {
  AILAKE_RETURN_IF_ERROR(ValidateName("namespace", ns));
  nlohmann::json j = properties;
  Status st = store_->PutIfAbsent(ns + "/" + kNamespaceFile, j.dump());
  if (st.code() == StatusCode::kAlreadyExists) return Status::AlreadyExists("namespace '" + ns + "' already exists");
  return st;
}

Result<std::vector<std::string>> FsCatalog::ListNamespaces() {
  AILAKE_ASSIGN_OR_RETURN(auto objects, store_->List(""));
  std::vector<std::string> out;
  for (const auto& o : objects) {
    auto slash = o.key.find('/');
    if (slash != std::string::npos && o.key.substr(slash + 1) == kNamespaceFile) out.push_back(o.key.substr(0, slash));
  }
  return out;
}

Result<std::vector<TableIdent>> FsCatalog::ListTables(const std::string& ns) {
  AILAKE_RETURN_IF_ERROR(ValidateName("namespace", ns));
  AILAKE_ASSIGN_OR_RETURN(auto objects, store_->List(ns + "/"));
  std::vector<TableIdent> out;
  for (const auto& o : objects) {
    // <ns>/<table>/metadata/v1.metadata.json marks a table.
    std::string rest = o.key.substr(ns.size() + 1);
    auto slash = rest.find('/');
    if (slash == std::string::npos) continue;
    if (rest.substr(slash) == "/metadata/v1.metadata.json") out.push_back({ns, rest.substr(0, slash)});
  }
  return out;
}

Result<int64_t> FsCatalog::LatestVersion(const TableIdent& ident) {
  int64_t v = 0;
  auto hint = store_->GetString(HintKey(ident), 64);
  if (hint.ok()) {
    auto parsed = ParseVersion(*hint, store_->Describe() + "/" + HintKey(ident));
    // A damaged hint is only a hint: fall back to probing from the start.
    if (parsed.ok()) v = *parsed;
  } else if (hint.status().code() != StatusCode::kNotFound) {
    return hint.status();
  }
  if (v > 0) {
    AILAKE_ASSIGN_OR_RETURN(bool exists, store_->Exists(MetadataKey(ident, v)));
    if (!exists) v = 0;
  }
  if (v == 0) {
    // No usable hint: old-metadata cleanup may have deleted v2, v3, ... (never v1), so probing from
    // v1 could stop at a stale version. Take the highest version listed instead.
    const std::string prefix = TableKey(ident) + "/metadata/v";
    AILAKE_ASSIGN_OR_RETURN(auto objects, store_->List(prefix));
    constexpr std::string_view kSuffix = ".metadata.json";
    for (const auto& o : objects) {
      std::string_view rest = std::string_view(o.key).substr(prefix.size());
      if (rest.size() <= kSuffix.size() || rest.substr(rest.size() - kSuffix.size()) != kSuffix) continue;
      rest.remove_suffix(kSuffix.size());
      int64_t n = 0;
      auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
      if (ec == std::errc() && p == rest.data() + rest.size() && n > v) v = n;
    }
  }
  // Probe forward: the hint may lag behind a writer that died between claim and hint update.
  for (;;) {
    AILAKE_ASSIGN_OR_RETURN(bool next, store_->Exists(MetadataKey(ident, v + 1)));
    if (!next) break;
    ++v;
  }
  return v;
}

Result<LoadedTable> FsCatalog::ReadVersion(const TableIdent& ident, int64_t version) {
  const std::string key = MetadataKey(ident, version);
  AILAKE_ASSIGN_OR_RETURN(std::string text, store_->GetString(key, 256ull << 20));
  AILAKE_ASSIGN_OR_RETURN(auto metadata, iceberg::TableMetadata::FromJson(text, LocationOf(key)));
  AILAKE_RETURN_IF_ERROR(CheckChain(ident, version, metadata));
  LoadedTable t;
  t.ident = ident;
  t.metadata = std::move(metadata);
  t.metadata_key = key;
  t.version = version;
  return t;
}

Status FsCatalog::CheckChain(const TableIdent& ident, int64_t version, const iceberg::TableMetadata& metadata) {
  if (version <= 1) return Status::OK();
  const std::string self = LocationOf(MetadataKey(ident, version));
  const std::string expected = LocationOf(MetadataKey(ident, version - 1));
  const std::string found = metadata.metadata_log.empty() ? "" : metadata.metadata_log.back().metadata_file;
  if (found == expected) return Status::OK();
  return Status::Corruption(
      "metadata of table '" + ident.ToString() + "' does not move forward: " + self + " should follow " + expected +
      " but " + (found.empty() ? "its metadata-log is empty" : "its metadata-log ends with " + found) +
      ". A stray or restored version file would silently discard the commits recorded in " + expected +
      "; move " + self + " out of the metadata folder (to go back to an earlier state, use 'ailake rollback')");
}

Result<LoadedTable> FsCatalog::CreateTable(const TableIdent& ident, iceberg::TableMetadata metadata) {
  AILAKE_RETURN_IF_ERROR(ValidateName("namespace", ident.ns));
  AILAKE_RETURN_IF_ERROR(ValidateName("table", ident.name));
  Status ns = CreateNamespace(ident.ns, {});
  if (!ns.ok() && ns.code() != StatusCode::kAlreadyExists) return ns;
  AILAKE_RETURN_IF_ERROR(metadata.Validate());
  const std::string key = MetadataKey(ident, 1);
  AILAKE_ASSIGN_OR_RETURN(bool ours, store_->Exists(key));
  if (!ours) AILAKE_RETURN_IF_ERROR(CheckLocationUnowned(ident));
  Status st = store_->PutIfAbsent(key, metadata.ToJson());
  if (st.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("table '" + ident.ToString() + "' already exists");
  }
  AILAKE_RETURN_IF_ERROR(st);
  AILAKE_RETURN_IF_ERROR(store_->Put(HintKey(ident), std::string_view("1")));
  return ReadVersion(ident, 1);
}

Result<LoadedTable> FsCatalog::LoadTable(const TableIdent& ident) {
  AILAKE_RETURN_IF_ERROR(ValidateName("namespace", ident.ns));
  AILAKE_RETURN_IF_ERROR(ValidateName("table", ident.name));
  AILAKE_ASSIGN_OR_RETURN(int64_t v, LatestVersion(ident));
  if (v == 0) {
    return Status::NotFound("table '" + ident.ToString() + "' does not exist in " + warehouse_uri_ +
                            " (create it with 'ailake create')");
  }
  return ReadVersion(ident, v);
}

Result<LoadedTable> FsCatalog::CommitTable(const LoadedTable& base, iceberg::TableMetadata updated) {
  AILAKE_RETURN_IF_ERROR(updated.Validate());
  AILAKE_RETURN_IF_ERROR(AppendMetadataLog(base, LocationOf(base.metadata_key), &updated));
  const int64_t next = base.version + 1;
  const std::string key = MetadataKey(base.ident, next);
  Status st = store_->PutIfAbsent(key, updated.ToJson());
  auto lost = [&] {
    return Status::CommitConflict("table '" + base.ident.ToString() + "' changed since version " +
                                  std::to_string(base.version) + " (another writer committed version " +
                                  std::to_string(next) + ")");
  };
  if (st.code() == StatusCode::kAlreadyExists) return lost();
  AILAKE_RETURN_IF_ERROR(st);
  // Old-metadata cleanup (table/metadata_files.h) deletes superseded versions oldest first, and only
  // ones older than its grace period. So if our base is gone now, the slot we just claimed was such
  // a deleted version (our base is older than the grace period) and newer versions exist: withdraw
  // the claim, which no reader takes as current (readers take the highest version), and retry.
  AILAKE_ASSIGN_OR_RETURN(bool base_exists, store_->Exists(base.metadata_key));
  if (!base_exists) {
    (void)store_->Delete(key);
    return lost();
  }
  // The commit is durable now; the hint is advisory, so a failure to update it is not a failure.
  (void)store_->Put(HintKey(base.ident), std::to_string(next));
  LoadedTable t;
  t.ident = base.ident;
  t.metadata = std::move(updated);
  t.metadata_key = key;
  t.version = next;
  return t;
}

Status FsCatalog::DropTable(const TableIdent& ident, bool purge) {
  AILAKE_ASSIGN_OR_RETURN(int64_t v, LatestVersion(ident));
  if (v == 0) return Status::NotFound("table '" + ident.ToString() + "' does not exist");
  const std::string prefix = TableKey(ident) + (purge ? "/" : "/metadata/");
  AILAKE_ASSIGN_OR_RETURN(auto objects, store_->List(prefix));
  // Delete v1 last: until it is gone, the table still lists (a crash mid-drop leaves it droppable).
  const std::string first = MetadataKey(ident, 1);
  for (const auto& o : objects) {
    if (o.key != first) AILAKE_RETURN_IF_ERROR(store_->Delete(o.key));
  }
  return store_->Delete(first);
}

}  // namespace ailake::catalog
