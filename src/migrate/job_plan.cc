#include "migrate/job_plan.h"

#include <algorithm>

#include "core/uuid.h"
#include "migrate/embedder_spec.h"
#include "migrate/job_store.h"
#include "table/commit.h"

namespace ailake::migrate {

Result<std::unique_ptr<embed::Embedder>> BuildEmbedder(const MigrationOptions& o) {
  embed::EmbedderOptions eo;
  eo.concurrency = o.concurrency;
  eo.timeout_ms = o.embed_timeout_ms;
  eo.max_retries = o.embed_retries;
  eo.model_name = o.new_model.name;
  eo.model_version = o.new_model.version;
  return embed::MakeEmbedder(o.embedder_spec, eo);
}

Result<MigrationJobDoc> ResolveJob(table::Table& table, MigrationOptions o, embed::Embedder& embedder) {
  const table::VectorConfig& vc = table.vectors();
  if (o.new_model.name.empty()) return Status::InvalidArgument("the new model needs a name (--new-model NAME[@VERSION])");
  if (o.batch_size == 0) return Status::InvalidArgument("batch size must be at least 1 (--batch-size N)");
  if (o.concurrency == 0) return Status::InvalidArgument("concurrency must be at least 1 (--concurrency N)");
  if (o.file_parallelism == 0) return Status::InvalidArgument("file parallelism must be at least 1");
  if (o.old_column.empty()) o.old_column = vc.vector_column;
  if (o.old_column != vc.vector_column) {
    return Status::InvalidArgument("column '" + o.old_column + "' is not the table's vector column ('" +
                                   vc.vector_column + "'); only the current vector column can be migrated");
  }
  if (o.new_column.empty()) o.new_column = o.old_column;
  if (o.keep_old_column && o.new_column == o.old_column) {
    return Status::InvalidArgument("--keep-old-column keeps '" + o.old_column +
                                   "', so the new vectors need another column: add --new-column NAME");
  }
  if (o.new_column != o.old_column && table.schema().FindField(o.new_column) != nullptr) {
    return Status::InvalidArgument("the table already has a column named '" + o.new_column + "'");
  }
  if (o.text_column.empty()) o.text_column = vc.text_column;
  AILAKE_ASSIGN_OR_RETURN(parquet::Schema data, table.DataSchema());
  const int ti = data.FieldIndex(o.text_column);
  if (ti < 0) {
    return Status::InvalidArgument("text column '" + o.text_column + "' does not exist in table " +
                                   table.ident().ToString() + " (use --text-column NAME)");
  }
  if (data.fields[static_cast<size_t>(ti)].type != parquet::DataType::kString) {
    return Status::InvalidArgument("text column '" + o.text_column + "' is not a string column");
  }
  AILAKE_ASSIGN_OR_RETURN(uint32_t dim, embedder.Dimension());
  if (o.new_model.dim != 0 && o.new_model.dim != dim) {
    return Status::InvalidArgument("the new model is declared with dim " + std::to_string(o.new_model.dim) +
                                   " but the embedder returns " + std::to_string(dim));
  }
  o.new_model.dim = dim;
  o.new_model.metric = o.new_metric.value_or(vc.model.metric);
  o.new_metric = o.new_model.metric;
  if (o.new_model.SameModel(vc.model)) {
    return Status::InvalidArgument("the table is already embedded by model '" + vc.model.Id() +
                                   "'; give the new model another name or version");
  }
  MigrationJobDoc d;
  d.job_id = Uuid::Random().ToString();
  d.table = table.ident().ToString();
  d.created_ms = table::NowMs();
  const iceberg::Snapshot* snap = table.metadata().CurrentSnapshot();
  d.base_snapshot_id = snap ? snap->snapshot_id : 0;
  d.base_schema_id = table.metadata().current_schema_id;
  d.old_model = vc.model;
  d.old_precision = vc.policy.precision;
  const iceberg::NestedField* of = table.schema().FindField(o.old_column);
  if (!of) return Status::Corruption("table schema has no vector column '" + o.old_column + "'");
  d.old_field_id = of->id;
  d.new_field_id = std::max(table.metadata().last_column_id, table.schema().HighestFieldId()) + 1;
  d.new_policy = vc.policy;
  d.new_policy.precision = o.new_precision.value_or(vc.policy.precision);
  o.new_precision = d.new_policy.precision;
  d.staging_prefix = StagingPrefix(table.table_key(), d.job_id);
  d.options = std::move(o);
  d.options.embedder_spec = RedactEmbedderSpec(d.options.embedder_spec);  // job.json holds no secret
  return d;
}

}  // namespace ailake::migrate
