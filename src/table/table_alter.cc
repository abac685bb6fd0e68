#include "table/table_alter.h"

#include <set>

#include "table/commit.h"

namespace ailake::table {

namespace {

inline constexpr const char* kPropMigrationJob = "ailake.migration";  // migrate/migration_spec.h (a layer above)

// Plans the new schema on `m`'s current schema.
Result<iceberg::Schema> PlanSchema(const iceberg::TableMetadata& m, const VectorConfig& vc, const AlterSpec& spec,
                                   AlterResult* result) {
  const iceberg::Schema* current = m.CurrentSchema();
  if (!current) return Status::Corruption("table metadata has no current schema");
  iceberg::Schema next = *current;
  const std::set<std::string> reserved = {"id", "doc_id", "metadata", vc.text_column, vc.vector_column};
  for (const auto& [from, to] : spec.renames) {
    AILAKE_RETURN_IF_ERROR(catalog::ValidateName("column", to));
    iceberg::NestedField* f = nullptr;
    for (auto& field : next.fields) {
      if (field.name == from) f = &field;
    }
    if (!f) return Status::InvalidArgument("cannot rename column '" + from + "': the table has no such column");
    if (reserved.count(from) || (f->type && f->type->id == iceberg::TypeId::kFixed)) {
      return Status::InvalidArgument("cannot rename column '" + from +
                                     "': ailake finds its id, doc_id, metadata, text and vector columns by name; only "
                                     "user columns (declared with --columns or added with --add-column) can be renamed");
    }
    if (next.FindField(to)) return Status::InvalidArgument("cannot rename '" + from + "' to '" + to + "': the table already has a column '" + to + "'");
    f->name = to;
  }
  int next_id = std::max(m.last_column_id, next.HighestFieldId()) + 1;
  result->added.clear();
  for (const auto& c : spec.add_columns) {
    AILAKE_RETURN_IF_ERROR(catalog::ValidateName("column", c.name));
    if (next.FindField(c.name)) return Status::InvalidArgument("cannot add column '" + c.name + "': the table already has it");
    AILAKE_ASSIGN_OR_RETURN(auto type, TypeFromName(c.name, c.type));
    next.fields.push_back({next_id, c.name, /*required=*/false, type, ""});
    result->added.emplace_back(c.name, next_id);
    ++next_id;
  }
  AILAKE_RETURN_IF_ERROR(iceberg::ValidateSchema(next));
  return next;
}

}  // namespace

Result<AlterResult> AlterTable(catalog::Catalog& catalog, const catalog::TableIdent& ident, const AlterSpec& spec) {
  if (spec.add_columns.empty() && spec.renames.empty()) {
    return Status::InvalidArgument("nothing to change: give --add-column NAME:TYPE and/or --rename-column OLD:NEW");
  }
  // A concurrent schema change (another alter, a migration cutover) makes the planned schema stale:
  // plan again on the new one, a bounded number of times.
  constexpr int kMaxPlans = 10;
  for (int plan = 1;; ++plan) {
    AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable base, catalog.LoadTable(ident));
    auto running = base.metadata.properties.find(kPropMigrationJob);
    if (running != base.metadata.properties.end()) {
      return Status::CommitConflict("table " + ident.ToString() + " has a migration in progress (job " +
                                        running->second +
                                        "); finish or abort it first ('ailake migrate status'), then alter");
    }
    AILAKE_ASSIGN_OR_RETURN(VectorConfig vc, VectorConfigFromProperties(base.metadata.properties));
    AlterResult result;
    AILAKE_ASSIGN_OR_RETURN(iceberg::Schema schema, PlanSchema(base.metadata, vc, spec, &result));
    iceberg::TableChange change;
    change.operation = "replace";  // no snapshot is made: only the schema changes
    change.new_schema = schema;
    change.expected_schema_id = base.metadata.current_schema_id;
    auto committed = CommitChange(catalog, ident, change);
    if (committed.ok()) {
      result.schema_id = committed->table.metadata.current_schema_id;
      return result;
    }
    if (committed.status().code() != StatusCode::kCommitConflict || plan >= kMaxPlans) return committed.status();
  }
}

}  // namespace ailake::table
