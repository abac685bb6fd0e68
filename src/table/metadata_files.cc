#include "table/metadata_files.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace ailake::table {

namespace {

constexpr std::string_view kSuffix = ".metadata.json";

// Version order of a metadata file name: fs "v<N>.metadata.json", sqlite "<NNNNN>-<uuid>.metadata.json".
int64_t VersionOf(std::string_view name) {
  if (!name.empty() && name[0] == 'v') name.remove_prefix(1);
  int64_t n = 0;
  for (char c : name) {
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    if (n > (INT64_MAX - 9) / 10) return INT64_MAX;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

Result<MetadataCleanup> DeleteOldMetadataFiles(catalog::Catalog& catalog, const catalog::TableIdent& ident,
                                               int64_t older_than_ms, bool dry_run,
                                               const std::function<void(const std::string&)>& progress) {
  Store& store = catalog.store();
  const std::string prefix = catalog::Catalog::TableKey(ident) + "/metadata/";
  // List first, then read the state: every listed file is that state's or older (see header).
  AILAKE_ASSIGN_OR_RETURN(auto listed, store.List(prefix));
  AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable latest, catalog.LoadTable(ident));
  std::set<std::string> keep{latest.metadata_key};
  for (const auto& e : latest.metadata.metadata_log) {
    auto key = catalog.KeyOf(e.metadata_file);
    if (key.ok()) keep.insert(*key);
  }
  std::vector<std::pair<int64_t, ObjectInfo>> candidates;
  for (auto& o : listed) {
    std::string_view name = std::string_view(o.key).substr(prefix.size());
    if (name.find('/') != std::string_view::npos || !name.ends_with(kSuffix)) continue;
    if (keep.count(o.key) || catalog.IsPermanentMetadata(o.key)) continue;
    if (o.created_ms == 0 || o.created_ms >= older_than_ms) continue;  // unknown age, or too young
    candidates.emplace_back(VersionOf(name), std::move(o));
  }
  // Oldest version first: the fs catalog's stale-claim check relies on it (header).
  std::sort(candidates.begin(), candidates.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first < b.first : a.second.key < b.second.key; });
  MetadataCleanup out;
  for (const auto& [version, o] : candidates) {
    if (!dry_run) {
      if (progress) progress("deleting old metadata file " + o.key);
      AILAKE_ASSIGN_OR_RETURN(bool exists, store.Exists(o.key));
      if (!exists) continue;  // another cleanup took it: not ours to count
      AILAKE_RETURN_IF_ERROR(store.Delete(o.key));
    }
    ++out.files_deleted;
    out.bytes_freed += static_cast<int64_t>(o.size);
  }
  return out;
}

}  // namespace ailake::table
