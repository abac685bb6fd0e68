// Conversions between the public structs (include/ailake/) and the layers' own.
#pragma once

#include <string>

#include "ailake/table.h"
#include "ailake/values.h"
#include "ailake/warehouse.h"
#include "parquet/batch.h"
#include "table/ingest.h"
#include "table/table_schema.h"
#include "table/table_search.h"
#include "table/upsert.h"

namespace ailake::api {

// Checks what the catalog layer does not (required model fields) and names the API fields.
Result<table::TableOptions> ToTableOptions(const CreateTableOptions& o);

table::WriteMode ToInternal(WriteMode mode);
WriteProgress ToPublic(const table::IngestProgress& p);

// A parquet batch (search values) as a public RecordBatch; `unit` is honoured for timestamps.
Result<RecordBatch> ToRecordBatch(const parquet::Batch& batch);

// The layers' messages name CLI flags where a flag fixes the problem ("pass --embedder"); through
// the API the same advice names the option field instead.
Status ApiWording(const Status& st);

}  // namespace ailake::api
