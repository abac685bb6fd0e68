// Catalog commands: list, drop, alter (through the public API only).
#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>

#include "ailake/warehouse.h"
#include "cli/commands.h"
#include "cli/table_context.h"

namespace ailake::cli {

namespace {

// ---- list -------------------------------------------------------------------------------------

int RunList(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  auto wh = OpenWarehouse(args);
  if (!wh.ok()) return ReportError(wh.status(), err);
  auto names = (*wh)->ListTables(args.positional_count() > 0 ? args.positional(0) : "");
  if (!names.ok()) return ReportError(names.status(), err);
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& name : *names) {
    const size_t dot = name.find('.');
    tables.push_back({{"namespace", name.substr(0, dot)}, {"table", name.substr(dot + 1)}, {"name", name}});
  }
  if (args.get("format") == "json") {
    out << nlohmann::json({{"catalog", (*wh)->Describe()}, {"tables", tables}}).dump(2) << "\n";
    return 0;
  }
  for (const auto& n : *names) out << n << "\n";
  if (names->empty()) out << "no tables in " << (*wh)->Describe() << "\n";
  return 0;
}

// ---- drop -------------------------------------------------------------------------------------

int RunDrop(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  auto wh = OpenWarehouse(args);
  if (!wh.ok()) return ReportError(wh.status(), err);
  auto r = (*wh)->DropTable(args.positional(0), args.has("purge"));
  if (!r.ok()) return ReportError(r.status(), err);
  const std::string name = QualifiedName(args.positional(0));
  if (args.get("format") == "json") {
    out << nlohmann::json({{"table", name},
                           {"dropped", true},
                           {"purged", r->purged},
                           {"files_deleted", r->files_deleted},
                           {"bytes_deleted", r->bytes_deleted}})
               .dump()
        << "\n";
    return 0;
  }
  out << "dropped table " << name;
  if (r->purged) {
    out << " and deleted its " << r->files_deleted << " file(s), " << r->bytes_deleted << " bytes\n";
  } else {
    out << " (its data files are kept; 'drop --purge' deletes them)\n";
  }
  return 0;
}

// ---- alter ------------------------------------------------------------------------------------

// "a:b" -> {a, b}; usage error naming the flag otherwise.
Result<std::pair<std::string, std::string>> SplitPair(const std::string& flag, const std::string& value,
                                                      const char* shape) {
  auto colon = value.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) {
    return Status::InvalidArgument("--" + flag + " entries are " + shape + ", got '" + value + "'");
  }
  return std::make_pair(value.substr(0, colon), value.substr(colon + 1));
}

int RunAlter(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  AlterTableSpec spec;
  for (const auto& entry : SplitCommaList(args.get("add-column"))) {
    auto p = SplitPair("add-column", entry, "NAME:TYPE");
    if (!p.ok()) return ReportError(p.status(), err);
    spec.add_columns.push_back({p->first, p->second});
  }
  for (const auto& entry : SplitCommaList(args.get("rename-column"))) {
    auto p = SplitPair("rename-column", entry, "OLD:NEW");
    if (!p.ok()) return ReportError(p.status(), err);
    spec.renames.push_back(*p);
  }
  if (spec.add_columns.empty() && spec.renames.empty()) {
    return ReportError(Status::InvalidArgument("give --add-column NAME:TYPE[,...] and/or --rename-column OLD:NEW[,...]"), err);
  }
  auto wh = OpenWarehouse(args);
  if (!wh.ok()) return ReportError(wh.status(), err);
  auto r = (*wh)->AlterTable(args.positional(0), spec);
  if (!r.ok()) return ReportError(r.status(), err);
  const std::string name = QualifiedName(args.positional(0));
  if (args.get("format") == "json") {
    nlohmann::json added = nlohmann::json::array();
    for (const auto& [col, id] : r->added) added.push_back({{"name", col}, {"field_id", id}});
    nlohmann::json renamed = nlohmann::json::array();
    for (const auto& [from, to] : spec.renames) renamed.push_back({{"from", from}, {"to", to}});
    out << nlohmann::json({{"table", name}, {"schema_id", r->schema_id}, {"added", added}, {"renamed", renamed}}).dump()
        << "\n";
    return 0;
  }
  out << "altered table " << name << " (schema " << r->schema_id << ")\n";
  for (const auto& [col, id] : r->added) out << "  added column " << col << " (field id " << id << "; existing rows read NULL)\n";
  for (const auto& [from, to] : spec.renames) out << "  renamed column " << from << " to " << to << "\n";
  return 0;
}

}  // namespace

Command ListCommand() {
  CommandSpec spec;
  spec.name = "list";
  spec.summary = "List the tables of the warehouse (or of one namespace)";
  spec.optional_positionals = {"NAMESPACE"};
  spec.flags = WithWarehouseFlags({{"format", "", "text|json", "output format", "text"}});
  return {spec, RunList};
}

Command DropCommand() {
  CommandSpec spec;
  spec.name = "drop";
  spec.summary = "Drop a table from its catalog; --purge also deletes its files";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags({
      {"purge", "", "", "also delete every file under the table's folder (refused when another table's metadata lives there)", ""},
      {"format", "", "text|json", "output format", "text"},
  });
  spec.details = "Without --purge the catalog forgets the table and its data files stay where they are (the fs\n"
                 "catalog removes the table's metadata/ folder, the sqlite catalog its row). With --purge every\n"
                 "object under <warehouse>/<namespace>/<table>/ is deleted, after checking that each metadata file\n"
                 "there belongs to this table (same table-uuid); nothing outside the table's folder is touched.\n"
                 "Dropping cannot be undone.";
  return {spec, RunDrop};
}

Command AlterCommand() {
  CommandSpec spec;
  spec.name = "alter";
  spec.summary = "Evolve a table's schema: add columns, rename user columns";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags({
      {"add-column", "", "NAME:TYPE[,...]", "add optional columns (boolean, int, long, float, double, string, date, timestamptz)", ""},
      {"rename-column", "", "OLD:NEW[,...]", "rename user columns (id, doc_id, metadata, text and vector columns cannot be renamed)", ""},
      {"format", "", "text|json", "output format", "text"},
  });
  spec.details = "Iceberg schema evolution: an added column gets a fresh field id and reads as NULL in the rows\n"
                 "written before it; a renamed column keeps its field id, so older files (which keep the old name)\n"
                 "are still read correctly by ailake and by other Iceberg engines. No data file is rewritten.\n"
                 "Refused while a migration is in progress.";
  return {spec, RunAlter};
}

}  // namespace ailake::cli
