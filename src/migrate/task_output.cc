#include "migrate/task_output.h"

namespace ailake::migrate {

Status OpenTaskOutput(const TaskContext& ctx, const parquet::FileInfo& source_info, const std::string& output_key,
                      TaskOutput* out) {
  const MigrationJobDoc& job = *ctx.job;
  const MigrationOptions& o = job.options;
  Store& store = ctx.table->catalog().store();
  std::vector<file::VectorColumnSpec> specs;
  file::VectorColumnSpec ns;
  ns.name = o.new_column;
  ns.model = o.new_model;
  ns.policy = job.new_policy;
  ns.policy.build_threads = o.build_threads;
  ns.field_id = job.new_field_id;
  specs.push_back(ns);
  if (o.keep_old_column) {
    file::VectorColumnSpec os;
    os.name = o.old_column;
    os.model = job.old_model;
    os.policy = job.new_policy;
    os.policy.precision = job.old_precision;
    os.policy.build_threads = o.build_threads;
    os.field_id = job.old_field_id;
    specs.push_back(os);
  }
  AILAKE_ASSIGN_OR_RETURN(out->file, store.OpenWritable(output_key, PublishMode::kIfAbsent));
  out->guard = std::make_unique<OutputGuard>(store, output_key);
  file::FileWriterOptions fo;
  fo.build_threads = o.build_threads;
  fo.parquet.row_group_rows = 128 * 1024;
  // Per-file properties other than ailake's own travel with the rows (and field metadata, written
  // as "<field>.<key>", is regenerated from the schema, so it is not copied twice).
  for (const auto& kv : source_info.key_value) {
    bool field_key = false;
    for (const auto& f : ctx.data_schema.fields) {
      if (kv.key.rfind(f.name + ".", 0) == 0 && !f.metadata.empty()) field_key = true;
    }
    if (!field_key) fo.extra_key_values.emplace_back(kv.key, kv.value);
  }
  AILAKE_ASSIGN_OR_RETURN(out->writer, file::AiLakeFileWriter::Open(out->file.get(), ctx.data_schema, specs, fo));
  return Status::OK();
}

std::vector<iceberg::FileVectorStats> OutputVectorStats(const MigrationJobDoc& job, const file::WrittenFile& written) {
  const MigrationOptions& o = job.options;
  std::vector<iceberg::FileVectorStats> out;
  for (const auto& c : written.columns) {
    iceberg::FileVectorStats s;
    const bool is_new = c.name == o.new_column;
    s.column = c.name;
    s.model = is_new ? o.new_model.name : job.old_model.name;
    s.model_version = is_new ? o.new_model.version : job.old_model.version;
    s.dim = is_new ? o.new_model.dim : job.old_model.dim;
    s.metric = is_new ? o.new_model.metric : job.old_model.metric;
    s.precision = is_new ? job.new_policy.precision : job.old_precision;
    s.index = c.index_kind;
    s.centroid = c.centroid;
    s.radius = c.radius;
    s.rows_with_vector = c.rows_with_vector;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ailake::migrate
