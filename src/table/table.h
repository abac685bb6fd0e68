// Table: an ailake table in a catalog (Iceberg metadata + AI-Lake data files).
#pragma once

#include <memory>
#include <string>

#include "ailake/status.h"
#include "catalog/catalog.h"
#include "iceberg/manifest_io.h"
#include "parquet/batch.h"
#include "table/table_schema.h"

namespace ailake::table {

class Table {
 public:
  static Result<std::unique_ptr<Table>> Create(catalog::Catalog& catalog, const catalog::TableIdent& ident,
                                               const TableOptions& options);
  static Result<std::unique_ptr<Table>> Open(catalog::Catalog& catalog, const catalog::TableIdent& ident);

  catalog::Catalog& catalog() { return *catalog_; }
  const catalog::TableIdent& ident() const { return state_.ident; }
  const catalog::LoadedTable& state() const { return state_; }
  const iceberg::TableMetadata& metadata() const { return state_.metadata; }
  const iceberg::Schema& schema() const { return *state_.metadata.CurrentSchema(); }
  const VectorConfig& vectors() const { return vectors_; }
  std::string table_key() const { return catalog::Catalog::TableKey(state_.ident); }
  iceberg::Locations locations() const { return {catalog_->warehouse_uri(), table_key()}; }

  // The data (non-vector) columns of the current schema, as Parquet fields, in schema order.
  Result<parquet::Schema> DataSchema() const;
  // Every column of the current schema as data files carry it, vector columns included (as
  // FIXED_LEN_BYTE_ARRAY): what a --where predicate binds to (vector columns take IS [NOT] NULL).
  Result<parquet::Schema> PredicateSchema() const;
  // Re-reads the latest metadata from the catalog.
  Status Refresh();

 private:
  Table(catalog::Catalog& c, catalog::LoadedTable s, VectorConfig v)
      : catalog_(&c), state_(std::move(s)), vectors_(std::move(v)) {}
  catalog::Catalog* catalog_;
  catalog::LoadedTable state_;
  VectorConfig vectors_;
};

}  // namespace ailake::table
