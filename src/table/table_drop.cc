#include "table/table_drop.h"

namespace ailake::table {

namespace {

constexpr uint64_t kMaxMetadataJsonBytes = 256ull << 20;

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// OK when every metadata JSON under the table's folder belongs to the table with `uuid`.
Status CheckSoleOwner(Store& store, const std::string& table_key, const std::string& uuid, const std::string& name) {
  AILAKE_ASSIGN_OR_RETURN(auto objects, store.List(table_key + "/metadata/"));
  for (const auto& o : objects) {
    if (!EndsWith(o.key, ".metadata.json")) continue;
    auto text = store.GetString(o.key, kMaxMetadataJsonBytes);
    std::string other;
    if (text.ok()) {
      auto m = iceberg::TableMetadata::FromJson(*text, o.key);
      if (m.ok() && m->table_uuid == uuid) continue;
      other = m.ok() ? "table-uuid " + m->table_uuid : "unreadable: " + m.status().message();
    } else if (text.status().code() == StatusCode::kNotFound) {
      continue;  // deleted since the listing (expire's delete-after-commit): it owns nothing any more
    } else {
      other = "unreadable: " + text.status().message();
    }
    return Status::CommitConflict("refusing to purge " + name + ": " + store.Describe() + "/" + o.key +
                                  " is not this table's metadata (" + other +
                                  "); another table (perhaps of another catalog) lives in the same folder. "
                                  "Drop without --purge, or remove the other table first");
  }
  return Status::OK();
}

}  // namespace

Result<DropResult> DropTable(catalog::Catalog& catalog, const catalog::TableIdent& ident, bool purge) {
  DropResult r;
  AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable t, catalog.LoadTable(ident));
  const std::string key = catalog::Catalog::TableKey(ident);
  if (!purge) {
    AILAKE_RETURN_IF_ERROR(catalog.DropTable(ident, /*purge=*/false));
    return r;
  }
  AILAKE_RETURN_IF_ERROR(CheckSoleOwner(catalog.store(), key, t.metadata.table_uuid, ident.ToString()));
  AILAKE_ASSIGN_OR_RETURN(auto before, catalog.store().List(key + "/"));
  for (const auto& o : before) r.bytes_deleted += static_cast<int64_t>(o.size);
  AILAKE_RETURN_IF_ERROR(catalog.DropTable(ident, /*purge=*/true));
  AILAKE_ASSIGN_OR_RETURN(auto after, catalog.store().List(key + "/"));
  r.files_deleted = static_cast<int64_t>(before.size()) - static_cast<int64_t>(after.size());
  r.purged = true;
  return r;
}

}  // namespace ailake::table
