#include "table/table.h"

#include "core/uuid.h"
#include "table/commit.h"

namespace ailake::table {

Result<std::unique_ptr<Table>> Table::Create(catalog::Catalog& catalog, const catalog::TableIdent& ident,
                                             const TableOptions& options) {
  if (options.model.name.empty()) {
    return Status::InvalidArgument("a table needs an embedding model name (--model NAME[@VERSION])");
  }
  AILAKE_ASSIGN_OR_RETURN(iceberg::Schema schema, DefaultSchema(options));
  iceberg::TableMetadata m;
  m.table_uuid = Uuid::Random().ToString();
  m.location = catalog.LocationOf(catalog::Catalog::TableKey(ident));
  m.last_updated_ms = NowMs();
  m.last_column_id = schema.HighestFieldId();
  m.schemas = {schema};
  m.properties = TableProperties(options);
  AILAKE_RETURN_IF_ERROR(VectorConfigFromProperties(m.properties).status());
  AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable loaded, catalog.CreateTable(ident, std::move(m)));
  AILAKE_ASSIGN_OR_RETURN(VectorConfig v, VectorConfigFromProperties(loaded.metadata.properties));
  return std::unique_ptr<Table>(new Table(catalog, std::move(loaded), std::move(v)));
}

Result<std::unique_ptr<Table>> Table::Open(catalog::Catalog& catalog, const catalog::TableIdent& ident) {
  AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable loaded, catalog.LoadTable(ident));
  auto v = VectorConfigFromProperties(loaded.metadata.properties);
  if (!v.ok()) return v.status().WithContext("table '" + ident.ToString() + "'");
  return std::unique_ptr<Table>(new Table(catalog, std::move(loaded), std::move(*v)));
}

Status Table::Refresh() {
  AILAKE_ASSIGN_OR_RETURN(catalog::LoadedTable loaded, catalog_->LoadTable(state_.ident));
  AILAKE_ASSIGN_OR_RETURN(VectorConfig v, VectorConfigFromProperties(loaded.metadata.properties));
  state_ = std::move(loaded);
  vectors_ = std::move(v);
  return Status::OK();
}

Result<parquet::Schema> Table::DataSchema() const {
  parquet::Schema out;
  for (const auto& f : schema().fields) {
    // Vector columns are the FIXED columns (ailake declares no other fixed column): the table's
    // vector column and, after a migration that kept it, the previous model's column.
    if (f.name == vectors_.vector_column || (f.type && f.type->is_primitive() && f.type->id == iceberg::TypeId::kFixed)) continue;
    AILAKE_ASSIGN_OR_RETURN(parquet::Field pf, ToParquetField(f));
    out.fields.push_back(std::move(pf));
  }
  return out;
}

Result<parquet::Schema> Table::PredicateSchema() const { return ToParquetSchema(schema()); }

}  // namespace ailake::table
