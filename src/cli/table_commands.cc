// Table commands: create, insert, search, info, history, delete.
// Every command here goes through the public API (include/ailake/) only.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "ailake/ailake.h"
#include "cli/api_wording.h"
#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "cli/table_context.h"
#include "cli/vector_file.h"

namespace ailake::cli {

namespace {

// ---- create -----------------------------------------------------------------------------------

int RunCreate(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  const std::string name = args.positional(0);
  if (!args.has("dim")) return ReportError(Status::InvalidArgument("--dim N is required"), err);
  if (!args.has("model")) {
    return ReportError(Status::InvalidArgument("--model NAME[@VERSION] is required: every vector column records its model"), err);
  }
  CreateTableOptions o;
  auto dim = args.GetInt("dim", 1, 65536);
  if (!dim.ok()) return ReportError(dim.status(), err);
  auto model = EmbeddingModelInfo::ParseId(args.get("model"));
  if (!model.ok()) return ReportError(model.status(), err);
  o.model = *model;
  o.model.dim = static_cast<uint32_t>(*dim);
  auto metric = ParseMetric(args.get("metric"));
  if (!metric.ok()) return ReportError(metric.status(), err);
  o.model.metric = *metric;
  auto precision = ParsePrecision(args.get("precision"));
  if (!precision.ok()) return ReportError(precision.status(), err);
  o.storage.precision = *precision;
  auto index = ParseIndexKind(args.get("index"));
  if (!index.ok()) return ReportError(index.status(), err);
  o.storage.index = *index;
  o.vector_column = args.get("column");
  o.text_column = args.get("text-column");
  auto rows = args.GetInt("target-file-rows", 1, 100000000);
  if (!rows.ok()) return ReportError(rows.status(), err);
  o.target_file_rows = *rows;
  for (const auto& spec : SplitCommaList(args.get("columns"))) {
    auto colon = spec.find(':');
    if (colon == std::string::npos) {
      return ReportError(Status::InvalidArgument("--columns entries are name:type, got '" + spec + "'"), err);
    }
    o.columns.push_back({spec.substr(0, colon), spec.substr(colon + 1)});
  }
  auto wh = OpenWarehouse(args, /*create_warehouse=*/true);
  if (!wh.ok()) return ReportError(wh.status(), err);
  auto t = (*wh)->CreateTable(name, o);
  if (!t.ok()) return ReportError(CliWording(t.status()), err);
  auto info = (*t)->Info();
  if (!info.ok()) return ReportError(info.status(), err);
  const std::string qualified = (*t)->name();
  if (args.get("format") == "json") {
    nlohmann::json j;
    j["table"] = qualified;
    j["catalog"] = (*wh)->Describe();
    j["location"] = info->location;
    j["vector_column"] = {{"name", o.vector_column}, {"dim", *dim}, {"metric", std::string(MetricName(o.model.metric))},
                          {"precision", std::string(PrecisionName(o.storage.precision))}, {"model", o.model.Id()}};
    j["text_column"] = o.text_column;
    out << j.dump(2) << "\n";
    return 0;
  }
  out << "created table " << qualified << " (" << (*wh)->Describe() << ")\n"
      << "  vector column " << o.vector_column << ": " << *dim << "-d " << MetricName(o.model.metric) << " "
      << PrecisionName(o.storage.precision) << ", model " << o.model.Id() << "\n"
      << "  text column " << o.text_column << "\n";
  return 0;
}

// ---- insert -----------------------------------------------------------------------------------

// --model NAME[@VERSION] into the embedder options (it replaces the spec's model=).
Status ModelOverride(const ParsedArgs& args, EmbedderOptions* eo) {
  if (!args.has("model")) return Status::OK();
  AILAKE_ASSIGN_OR_RETURN(EmbeddingModelInfo m, EmbeddingModelInfo::ParseId(args.get("model")));
  eo->model_name = m.name;
  eo->model_version = m.version;
  return Status::OK();
}

// The embedder must compute the table's model: same identity, same dimension (probed once when the
// spec has no dim=). Checked here, before anything is read, with the CLI's advice.
Status CheckEmbedderModel(const TableInfo& info, const Embedder& embedder) {
  if (embedder.model().SameModel(info.model)) return Status::OK();
  return Status::InvalidArgument(
      "the embedder's model '" + embedder.model().Id() + "' (" + embedder.Describe() + ") is not the table's model '" +
      info.model.Id() + "'; if it computes that model's vectors, say so with --model " + info.model.Id() +
      " (or model=" + info.model.Id() + " in the spec), otherwise migrate the table to it first");
}

Status CheckEmbedderDim(const TableInfo& info, const Embedder& embedder, uint32_t dim) {
  if (dim == info.model.dim) return Status::OK();
  return Status::InvalidArgument("the embedder " + embedder.Describe() + " returns " + std::to_string(dim) +
                                 "-d vectors, but the table's model '" + info.model.Id() + "' is " +
                                 std::to_string(info.model.dim) + "-d; use the embedder that computes '" +
                                 info.model.Id() + "'");
}

int RunInsert(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  // Everything the command line says is checked first (exit 2); after that, a failure is about the
  // data, the files or the embedder (exit 1).
  if (const std::string f = args.get("format"); f == "jsonl" || f == "csv" || f == "parquet") {
    return ReportError(Status::InvalidArgument("--format is the output format (text or json); give the input file's "
                                               "format as --input-format " + f), err);
  }
  if (int rc = CheckFormat(args, err)) return rc;
  const bool json_out = args.get("format") == "json";
  WriteOptions wo;
  wo.input_format = args.get("input-format");
  auto format = AddFileFormat(args.positional(1), wo.input_format);
  if (!format.ok()) return ReportError(format.status(), err);
  auto batch = args.GetInt("batch-size", 1, 1000000);
  if (!batch.ok()) return ReportError(batch.status(), err);
  wo.batch_rows = static_cast<size_t>(*batch);
  auto conc = args.GetInt("concurrency", 1, 1024);
  if (!conc.ok()) return ReportError(conc.status(), err);
  wo.concurrency = static_cast<size_t>(*conc);
  wo.text_field = args.get("text-field");
  wo.generate_ids = args.has("generate-ids");
  if (args.has("target-file-rows")) {
    auto r = args.GetInt("target-file-rows", 1, 100000000);
    if (!r.ok()) return ReportError(r.status(), err);
    wo.target_file_rows = *r;
  }
  if (args.has("target-file-bytes")) {
    auto b = args.GetInt("target-file-bytes", 1024, INT64_MAX);
    if (!b.ok()) return ReportError(b.status(), err);
    wo.target_file_bytes = *b;
  }
  auto mode = ParseWriteMode(args.get("mode"));
  if (!mode.ok()) return ReportError(mode.status(), err);
  wo.mode = *mode;
  if (args.has("model") && !args.has("embedder")) {
    return ReportError(Status::InvalidArgument("--model names the --embedder's model; give --embedder SPEC too"), err);
  }
  EmbedderOptions eo;
  eo.concurrency = wo.concurrency;
  auto timeout = args.GetInt("embed-timeout-ms", 1, 3600000);
  if (!timeout.ok()) return ReportError(timeout.status(), err);
  eo.timeout_ms = static_cast<int>(*timeout);
  auto retries = args.GetInt("embed-retries", 0, 100);
  if (!retries.ok()) return ReportError(retries.status(), err);
  eo.max_retries = static_cast<int>(*retries);
  if (Status st = ModelOverride(args, &eo); !st.ok()) return ReportError(st, err);
  auto opened = OpenTable(args, args.positional(0));
  if (!opened.ok()) return ReportError(opened.status(), err);
  Table& t = *opened->table;
  std::unique_ptr<Embedder> embedder;
  if (args.has("embedder")) {
    auto e = MakeEmbedder(args.get("embedder"), eo);
    if (!e.ok()) return ReportError(e.status(), err);
    embedder = std::move(*e);
    auto info = t.Info();
    if (!info.ok()) return ReportError(info.status(), err);
    if (Status st = CheckEmbedderModel(*info, *embedder); !st.ok()) return ReportError(st, err);
    auto dim = embedder->Dimension();  // one probe batch when the spec has no dim=
    if (!dim.ok()) {
      ReportError(dim.status(), err);
      return 1;
    }
    if (Status st = CheckEmbedderDim(*info, *embedder, *dim); !st.ok()) return ReportError(st, err);
  }
  wo.embedder = embedder.get();
  const auto t0 = std::chrono::steady_clock::now();
  ProgressPrinter printer(err, ProgressPrinter::ModeFor(2, args.has("quiet")));
  wo.progress = [&](const WriteProgress& p) { printer.Update(p); };
  auto w = t.AddFile(args.positional(1), wo);
  printer.Finish();
  if (!w.ok()) {
    ReportError(CliWording(w.status()), err);
    return 1;  // a bad row, an id already live, an unreadable file or a failing embedder: nothing was committed
  }
  const WriteResult* r = &*w;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (json_out) {
    nlohmann::json j;
    j["table"] = t.name();
    j["mode"] = std::string(WriteModeName(wo.mode));
    j["committed"] = r->snapshot_id != 0;
    j["snapshot_id"] = r->snapshot_id;
    j["rows"] = r->rows;
    j["files"] = r->files;
    j["embedded"] = r->embedded;
    j["without_vector"] = r->without_vector;
    j["skipped_existing"] = r->skipped;
    j["replaced"] = r->replaced;
    j["data_files_removed"] = r->files_removed;
    j["replans"] = r->replans;
    j["commit_attempts"] = r->commit_attempts;
    j["seconds"] = secs;
    out << j.dump(2) << "\n";
    return 0;
  }
  if (r->snapshot_id == 0) {
    if (r->skipped > 0) {
      out << "nothing to insert into " << t.name() << ": all " << r->skipped
          << " row(s) skipped, their id is already in the table; nothing committed\n";
    } else {
      out << "no rows in " << args.positional(1) << "; nothing committed\n";
    }
    return 0;
  }
  out << "inserted " << r->rows << " rows into " << t.name() << " in " << r->files
      << " file(s), snapshot " << r->snapshot_id << " (" << r->embedded << " embedded, " << r->without_vector
      << " without a vector) in " << secs << " s\n";
  if (wo.mode == WriteMode::kUpsert) {
    out << "upsert: " << r->replaced << " existing row(s) replaced, " << (r->rows - r->replaced)
        << " new, in the same snapshot"
        << (r->files_removed ? " (" + std::to_string(r->files_removed) + " data file(s) with no live row left removed)" : "")
        << "\n";
  } else if (wo.mode == WriteMode::kInsertNew) {
    out << "insert-new: " << r->skipped << " row(s) skipped: their id is already in the table\n";
  }
  if (r->replans > 0 || r->commit_attempts > 1) {
    out << "concurrent commits: planned again " << r->replans << " time(s), " << r->commit_attempts
        << " commit attempt(s)\n";
  }
  return 0;
}

// ---- search -----------------------------------------------------------------------------------

// A distance as JSON: the shortest text that reads back as the same float.
std::string JsonFloat(float v) {
  if (std::isnan(v)) return "\"NaN\"";
  if (std::isinf(v)) return v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

int RunSearch(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  if (int(args.has("text")) + int(args.has("vector-file")) != 1) {
    return ReportError(Status::InvalidArgument("give exactly one query: --text T --embedder SPEC, or --vector-file F"), err);
  }
  if (args.has("snapshot") && args.has("as-of")) {
    return ReportError(Status::InvalidArgument("give --snapshot or --as-of, not both"), err);
  }
  auto opened = OpenTable(args, args.positional(0));
  if (!opened.ok()) return ReportError(opened.status(), err);
  Table& t = *opened->table;
  auto info = t.Info();
  if (!info.ok()) return ReportError(info.status(), err);
  SearchOptions o;
  auto k = args.GetInt("k", 1, 100000);
  if (!k.ok()) return ReportError(k.status(), err);
  auto ef = args.GetInt("ef", 1, 1000000);
  if (!ef.ok()) return ReportError(ef.status(), err);
  o.k = static_cast<size_t>(*k);
  o.ef = static_cast<size_t>(*ef);
  o.exact = args.has("exact");
  if (args.has("nprobe")) {
    auto n = args.GetInt("nprobe", 1, 1000000);
    if (!n.ok()) return ReportError(n.status(), err);
    o.nprobe = static_cast<size_t>(*n);
  }
  if (args.has("probe-patience")) {
    auto n = args.GetInt("probe-patience", 1, 1000000);
    if (!n.ok()) return ReportError(n.status(), err);
    o.probe_patience = static_cast<size_t>(*n);
  }
  if (args.has("adaptive-probe")) {
    auto a = args.GetDouble("adaptive-probe", 0, 1000);
    if (!a.ok()) return ReportError(a.status(), err);
    o.adaptive_probe = *a;
  }
  o.where = args.get("where");
  o.columns = args.has("columns") ? SplitCommaList(args.get("columns")) : std::vector<std::string>{"id", info->text_column};
  if (args.has("snapshot")) {
    auto s = args.GetInt("snapshot", 1, INT64_MAX);
    if (!s.ok()) return ReportError(s.status(), err);
    o.snapshot_id = *s;
  }
  if (args.has("as-of")) {
    auto ms = ParseTimeMs(args.get("as-of"));
    if (!ms.ok()) return ReportError(ms.status(), err);
    o.as_of_ms = *ms;
  }
  std::vector<float> query;
  std::optional<EmbeddingModelInfo> declared;  // --model: the query's model, overriding the embedder's name
  if (args.has("model")) {
    auto m = EmbeddingModelInfo::ParseId(args.get("model"));
    if (!m.ok()) return ReportError(m.status(), err);
    declared = *m;
  }
  if (args.has("text")) {
    if (!args.has("embedder")) return ReportError(Status::InvalidArgument("--text needs --embedder SPEC"), err);
    const std::string& text = args.get("text");
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
      return ReportError(Status::InvalidArgument("--text is empty: give the query text to embed"), err);
    }
    EmbedderOptions eo;
    if (declared) {
      eo.model_name = declared->name;
      eo.model_version = declared->version;
    }
    auto e = MakeEmbedder(args.get("embedder"), eo);
    if (!e.ok()) return ReportError(e.status(), err);
    Status st = (*e)->Embed({text}, &query);
    if (!st.ok()) {
      ReportError(st, err);
      return 1;  // the embedder failed (unreachable, HTTP error, bad reply): not a usage error
    }
    o.model = (*e)->model().Id();
  } else {
    auto fv = ReadFvecs(args.get("vector-file"), 1);
    if (!fv.ok()) return ReportError(fv.status(), err);
    if (declared) {
      o.model = declared->Id();
    } else if (fv->dim != info->model.dim) {
      return ReportError(Status::InvalidArgument("the query vector has dim " + std::to_string(fv->dim) + ", the table " +
                                                 std::to_string(info->model.dim)), err);
    }
    query = std::move(fv->values);
  }
  auto r = t.Search(query.data(), query.size(), o);
  if (!r.ok()) return ReportError(CliWording(r.status()), err);
  if (args.get("format") == "json") {
    nlohmann::json j;
    j["snapshot_id"] = r->snapshot_id;
    // total = live files of the snapshot; skipped_other_model of them hold no vector of the query's model.
    j["files"] = {{"total", r->files_total + r->files_other_model}, {"searched", r->files_searched},
                  {"pruned", r->files_pruned}, {"skipped_other_model", r->files_other_model},
                  {"other_models", r->other_models}};
    j["results"] = nlohmann::json::array();
    for (size_t i = 0; i < r->ids.size(); ++i) {
      std::string values = "{\"distance\":" + JsonFloat(r->distances[i]);
      for (const Column& c : r->values.columns) {
        values += "," + nlohmann::json(c.name).dump() + ":" + c.ValueJson(i);
      }
      values += "}";
      j["results"].push_back(nlohmann::json::parse(values));
    }
    out << j.dump() << "\n";
    return 0;
  }
  out << "snapshot " << r->snapshot_id << ": searched " << r->files_searched << " of "
      << r->files_total + r->files_other_model << " file(s), pruned " << r->files_pruned;
  if (r->files_other_model > 0) {
    // Reduced recall must be visible: these files hold no vector of the query's model.
    out << "; " << r->files_other_model << " skipped: on model ";
    bool first = true;
    for (const auto& [m, n] : r->other_models) {
      out << (first ? "" : ", ") << m << (r->other_models.size() > 1 ? " (" + std::to_string(n) + ")" : "");
      first = false;
    }
  }
  out << "\n";
  for (size_t i = 0; i < r->ids.size(); ++i) {
    out << "  " << (i + 1) << ". distance " << r->distances[i];
    for (const Column& c : r->values.columns) {
      std::string v = c.ValueJson(i);
      if (v.size() > 90) v = v.substr(0, 87) + "...";
      out << "  " << c.name << "=" << v;
    }
    out << "\n";
  }
  return 0;
}

// ---- info / history ---------------------------------------------------------------------------

int RunInfo(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  auto opened = OpenTable(args, args.positional(0));
  if (!opened.ok()) return ReportError(opened.status(), err);
  auto info = opened->table->Info();
  if (!info.ok()) return ReportError(info.status(), err);
  const TableInfo& v = *info;
  if (args.get("format") == "json") {
    nlohmann::json j = {{"table", v.name},
                        {"location", v.location},
                        {"table_uuid", v.uuid},
                        {"metadata", v.metadata_location},
                        {"current_snapshot_id", v.snapshot_id ? nlohmann::json(v.snapshot_id) : nlohmann::json()},
                        {"snapshots", v.snapshots},
                        {"data_files", v.data_files},
                        {"delete_files", v.delete_files},
                        {"live_rows", v.live_rows},
                        {"rows", v.rows},
                        {"deleted_rows", v.deleted_rows},
                        {"bytes", v.data_bytes},
                        {"vector_column", v.vector_column},
                        {"text_column", v.text_column},
                        {"dim", v.model.dim},
                        {"metric", std::string(MetricName(v.model.metric))},
                        {"precision", std::string(PrecisionName(v.storage.precision))},
                        {"model", v.model.Id()},
                        {"properties", v.properties}};
    out << j.dump(2) << "\n";
    return 0;
  }
  out << "table:        " << v.name << "\n"
      << "location:     " << v.location << "\n"
      << "metadata:     " << v.metadata_location << "\n"
      << "snapshot:     " << (v.snapshot_id ? std::to_string(v.snapshot_id) : std::string("(none)")) << " of "
      << v.snapshots << "\n"
      << "rows:         " << v.live_rows << " live in " << v.data_files << " data file(s), " << v.data_bytes
      << " bytes"
      << (v.deleted_rows ? " (" + std::to_string(v.rows) + " written, " + std::to_string(v.deleted_rows) +
                               " deleted by " + std::to_string(v.delete_files) + " delete file(s))"
                         : std::string())
      << "\n"
      << "vectors:      " << v.vector_column << " " << v.model.dim << "-d " << MetricName(v.model.metric) << " "
      << PrecisionName(v.storage.precision) << ", model " << v.model.Id() << "\n"
      << "text column:  " << v.text_column << "\n";
  if (!v.running_migration.empty()) {
    out << "migration:    job " << v.running_migration << " is running or stopped (ailake migrate status " << v.name
        << ")\n";
  }
  out << "schema:\n";
  for (const auto& f : v.schema) {
    out << "  " << f.id << " " << f.name << " " << f.type << (f.required ? " required" : "") << "\n";
  }
  return 0;
}

int RunHistory(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  auto opened = OpenTable(args, args.positional(0));
  if (!opened.ok()) return ReportError(opened.status(), err);
  auto history = opened->table->History();
  if (!history.ok()) return ReportError(history.status(), err);
  nlohmann::json arr = nlohmann::json::array();
  for (const HistoryEntry& h : *history) {
    const bool rollback = h.event == "rollback";
    if (args.get("format") == "json") {
      arr.push_back({{"snapshot_id", h.snapshot_id},
                     {"parent_snapshot_id", h.parent_id ? nlohmann::json(h.parent_id) : nlohmann::json()},
                     {"sequence_number", h.sequence_number},
                     {"timestamp_ms", h.snapshot_ms},
                     {"event", h.event},
                     {"made_current_ms", h.made_current_ms},
                     {"current", h.is_current},
                     {"added_rows", h.added_rows},
                     {"removed_rows", h.removed_rows},
                     {"total_live_rows", h.total_live_rows},
                     {"summary", h.summary}});
    } else if (rollback) {
      out << (h.is_current ? "* " : "  ") << h.snapshot_id << "  " << FormatTimeMs(h.made_current_ms)
          << "  rollback to the snapshot of " << FormatTimeMs(h.snapshot_ms) << " (seq " << h.sequence_number
          << ")  total " << h.total_live_rows << "\n";
    } else {
      out << (h.is_current ? "* " : "  ") << h.snapshot_id << "  " << FormatTimeMs(h.snapshot_ms) << "  seq "
          << h.sequence_number << "  " << h.operation << "  +" << h.added_rows << " -" << h.removed_rows
          << " rows  total " << h.total_live_rows << "\n";
    }
  }
  if (args.get("format") == "json") out << arr.dump(2) << "\n";
  return 0;
}

int RunFiles(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  const std::string kind = args.get("kind");
  if (kind != "all" && kind != "data" && kind != "deletes") {
    err << "error: --kind must be all, data or deletes, not '" << kind << "'\n";
    return 2;
  }
  if (args.has("paths") && args.get("format") == "json") {
    err << "error: --paths prints bare paths; it cannot be combined with --format json\n";
    return 2;
  }
  auto opened = OpenTable(args, args.positional(0));
  if (!opened.ok()) return ReportError(opened.status(), err);
  auto files = opened->table->Files();
  if (!files.ok()) return ReportError(files.status(), err);
  nlohmann::json arr = nlohmann::json::array();
  for (const LiveFile& f : *files) {
    if (kind != "all" && f.kind != kind) continue;
    if (args.has("paths")) {
      out << f.path << "\n";
    } else if (args.get("format") == "json") {
      nlohmann::json j = {{"kind", f.kind}, {"path", f.path}, {"bytes", f.bytes}, {"rows", f.rows},
                          {"sequence_number", f.sequence_number}};
      if (f.kind == "data") {
        j["deleted_rows"] = f.deleted_rows;
        j["live_rows"] = f.rows - f.deleted_rows;
        j["model"] = f.model.empty() ? nlohmann::json() : nlohmann::json(f.model);
      } else {
        j["target"] = f.target.empty() ? nlohmann::json() : nlohmann::json(f.target);
      }
      arr.push_back(std::move(j));
    } else if (f.kind == "data") {
      out << "data     " << f.rows << " rows, " << f.deleted_rows << " deleted, " << f.bytes << " bytes, model "
          << (f.model.empty() ? std::string("(none)") : f.model) << "  " << f.path << "\n";
    } else {
      out << "deletes  " << f.rows << " position(s) in " << (f.target.empty() ? std::string("several files") : f.target)
          << ", " << f.bytes << " bytes  " << f.path << "\n";
    }
  }
  if (args.get("format") == "json" && !args.has("paths")) out << arr.dump(2) << "\n";
  return 0;
}

// delete --ids FILE: one commit for every listed id; ids with no live row are reported, not an error.
int RunDeleteIds(Table& t, const std::string& path, bool json_out, std::ostream& out, std::ostream& err) {
  auto ids = ReadIdListFile(path);
  if (!ids.ok()) return ReportError(ids.status(), err);
  auto r = t.DeleteIds(*ids);
  if (!r.ok()) return ReportError(r.status(), err);
  if (json_out) {
    nlohmann::json j;
    j["table"] = t.name();
    j["committed"] = r->rows_deleted > 0;
    j["snapshot_id"] = r->snapshot_id;
    j["rows_deleted"] = r->rows_deleted;
    j["delete_files"] = r->delete_files;
    j["data_files_removed"] = r->files_removed;
    j["unknown_ids"] = r->unknown_ids;
    out << j.dump(2) << "\n";
    return 0;
  }
  if (r->rows_deleted == 0) {
    out << "no listed id is in the table; nothing committed\n";
  } else {
    out << "deleted " << r->rows_deleted << " row(s) with " << r->delete_files << " position-delete file(s)"
        << (r->files_removed ? " and " + std::to_string(r->files_removed) + " data file(s) removed (no live row left)" : "")
        << ", snapshot " << r->snapshot_id << "\n";
  }
  if (!r->unknown_ids.empty()) {
    out << r->unknown_ids.size() << " id(s) not in the table:";
    const size_t shown = std::min<size_t>(r->unknown_ids.size(), 20);
    for (size_t i = 0; i < shown; ++i) out << " " << r->unknown_ids[i];
    if (shown < r->unknown_ids.size()) out << " ...";
    out << "\n";
  }
  return 0;
}

int RunDelete(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  if (int rc = CheckFormat(args, err)) return rc;
  const bool json_out = args.get("format") == "json";
  if (args.has("where") == args.has("ids")) {
    return ReportError(Status::InvalidArgument("give exactly one of --where EXPR or --ids FILE"), err);
  }
  auto opened = OpenTable(args, args.positional(0));
  if (!opened.ok()) return ReportError(opened.status(), err);
  if (args.has("ids")) return RunDeleteIds(*opened->table, args.get("ids"), json_out, out, err);
  auto r = opened->table->Delete(args.get("where"));
  if (!r.ok()) return ReportError(r.status(), err);
  if (json_out) {
    nlohmann::json j;
    j["table"] = opened->table->name();
    j["committed"] = r->rows_deleted > 0;
    j["snapshot_id"] = r->snapshot_id;
    j["rows_deleted"] = r->rows_deleted;
    j["delete_files"] = r->delete_files;
    out << j.dump(2) << "\n";
    return 0;
  }
  if (r->rows_deleted == 0) {
    out << "no row matched; nothing committed\n";
  } else {
    out << "deleted " << r->rows_deleted << " row(s) with " << r->delete_files << " position-delete file(s), snapshot "
        << r->snapshot_id << "\n";
  }
  return 0;
}

}  // namespace

Command DeleteCommand() {
  CommandSpec spec;
  spec.name = "delete";
  spec.summary = "Delete the rows matching --where or listed by --ids (Iceberg v2 position deletes; data files are not rewritten)";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags({{"where", "", "EXPR", "which rows to delete (see docs/CLI.md)", ""},
                                   {"ids", "", "FILE", "delete these ids: one per line, or JSON Lines with \"id\"", ""},
                                   {"format", "", "text|json", "output format", "text"}});
  spec.details = "Give exactly one of --where and --ids. Either way the rows go in one commit; --ids reports the ids\n"
                 "that have no live row.";
  return {spec, RunDelete};
}

Command CreateCommand() {
  CommandSpec spec;
  spec.name = "create";
  spec.summary = "Create a table with a vector column";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags({
      {"dim", "", "N", "embedding dimension (required)", ""},
      {"model", "", "NAME[@VERSION]", "embedding model of the vector column (required)", ""},
      {"metric", "", "M", "cosine, euclidean, dot or normalized_cosine", "cosine"},
      {"precision", "", "P", "stored precision: f32, f16 or i8", "f16"},
      {"column", "", "NAME", "vector column name", "embedding"},
      {"text-column", "", "NAME", "text column name", "chunk_text"},
      {"columns", "", "n:t,...", "extra columns (types: boolean int long float double string date timestamptz)", ""},
      {"index", "", "K", "per-file index: auto (flat below 4096 rows), flat or hnsw", "auto"},
      {"target-file-rows", "", "N", "rows per data file", "250000"},
      {"format", "", "text|json", "output format", "text"},
  });
  spec.details = "TABLE is NAME or NAMESPACE.NAME (namespace 'default' when omitted). Columns: id, doc_id, the text\n"
                 "column, metadata (other input fields as JSON), the vector column, then the extra columns.";
  return {spec, RunCreate};
}

Command InsertCommand() {
  CommandSpec spec;
  spec.name = "insert";
  spec.summary = "Add rows from a JSON Lines, CSV or Parquet file (one commit; --mode upsert replaces by id)";
  spec.positionals = {"TABLE", "FILE"};
  spec.flags = WithWarehouseFlags({
      {"embedder", "", "SPEC", "embed rows that have no vector from their text; must be the table's model, e.g. "
                              "hash:dim=256 or http:URL,model=NAME@VERSION (see docs/EMBEDDERS.md)", ""},
      {"model", "", "NAME[@VERSION]", "the embedder's model (wins over the spec's model=); must be the table's", ""},
      {"input-format", "", "F", "the input file's format: jsonl, csv or parquet (default: from the file extension)", ""},
      {"text-field", "", "NAME", "input field holding the text column (default: the text column's own name)", ""},
      {"generate-ids", "", "", "give rows without an id a generated one (default: such a row is an error)", ""},
      {"batch-size", "", "N", "texts per embedding call", "256"},
      {"concurrency", "", "N", "embedding calls in flight (command workers / HTTP requests)", "4"},
      {"embed-timeout-ms", "", "MS", "timeout of one embedding call", "60000"},
      {"embed-retries", "", "N", "HTTP retries on 429/5xx/timeouts", "5"},
      {"target-file-rows", "", "N", "rows per data file (default: the table's)", ""},
      {"target-file-bytes", "", "N", "also cut files at N uncompressed bytes", ""},
      {"mode", "", "M", "rows whose id is already live: error-on-duplicate (refuse the whole insert), upsert "
                        "(replace them), insert-new (skip them) or append (add duplicates)", "error-on-duplicate"},
      {"quiet", "q", "", "no progress output (progress goes to stderr: a bar on a terminal, else a line every 5 s)", ""},
      {"format", "", "text|json", "output format of the summary", "text"},
  });
  spec.details =
      "Fields map by name: id (string or integer; required unless --generate-ids), the text column (required,\n"
      "null allowed; --text-field maps another field to it), the vector column (array of numbers; absent or\n"
      "null = embedded with --embedder), doc_id, metadata and extra columns; every other field is merged into\n"
      "metadata (a key in both is an error). A bad row aborts the insert naming its line and field, exit\n"
      "code 1, and nothing is committed. Input lines are limited to 64 MiB. Every mode but\n"
      "append needs an id on every row and each id once per input; upsert deletes the replaced rows in the\n"
      "same snapshot that adds the new ones.";
  return {spec, RunInsert};
}

Command SearchCommand() {
  CommandSpec spec;
  spec.name = "search";
  spec.summary = "Vector search over a table (prunes files, searches their indexes, merges top-k)";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags({
      {"text", "", "T", "query text (not empty), embedded with --embedder", ""},
      {"embedder", "", "SPEC", "embedder for --text; searches the files whose vectors its model made", ""},
      {"model", "", "NAME[@VERSION]", "the query's model, winning over the spec's model= (default: the embedder's, "
                                     "or the table's for --vector-file); e.g. the old model during a migration that "
                                     "keeps the old column", ""},
      {"vector-file", "", "F", "query vector from a .fvecs file (first vector)", ""},
      {"k", "k", "N", "number of results", "10"},
      {"ef", "", "N", "HNSW search list size", "64"},
      {"nprobe", "", "N", "search only the N files of nearest centroid (a clustered table: its regions); "
                          "default all the exact bound cannot skip", ""},
      {"probe-patience", "", "P", "stop early: after the first files (one per thread), a lane of the rest stops once P "
                                  "of its files in a row add no hit to its k best (approximate; for clustered tables, "
                                  "with --nprobe as the cap); default: never", ""},
      {"adaptive-probe", "", "A", "adaptive probing (approximate; clustered tables, cosine or euclidean): search the "
                                  "nearest region's file first, then another only while the query lies within A x the "
                                  "k-th best distance of the boundary between the two regions; 0.02-0.05 is a good "
                                  "start, --nprobe caps the files; default: off", ""},
      {"columns", "", "a,b,...", "columns to print (default: id and the text column)", ""},
      {"where", "", "EXPR", "only rows matching EXPR, e.g. \"year >= 2020 AND lang IN ('en','fr')\"", ""},
      {"snapshot", "", "ID", "search this snapshot (time travel)", ""},
      {"as-of", "", "TIME", "search the snapshot current at TIME: YYYY-MM-DD (midnight UTC), YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM] or epoch ms", ""},
      {"exact", "", "", "exact scan instead of the per-file indexes", ""},
      {"format", "", "text|json", "output format", "text"},
  });
  return {spec, RunSearch};
}

Command InfoCommand() {
  CommandSpec spec;
  spec.name = "info";
  spec.summary = "Show a table's location, snapshot, row and file counts, vector column and schema";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags({{"format", "", "text|json", "output format", "text"}});
  return {spec, RunInfo};
}

Command FilesCommand() {
  CommandSpec spec;
  spec.name = "files";
  spec.summary = "List the live data and delete files of a table's current snapshot (for engines that read files directly)";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags({
      {"kind", "", "K", "which files: all, data or deletes", "all"},
      {"paths", "", "", "print only the paths, one per line", ""},
      {"format", "", "text|json", "output format", "text"},
  });
  spec.details =
      "The table's live rows are the rows of its data files minus the positions its delete files list:\n"
      "each delete file is Parquet with columns file_path (a data file's location, as printed here) and\n"
      "pos (a 0-based row number in that file). Any other file under the table's data/ folder belongs to\n"
      "an older snapshot or to none, so do not glob data/. The vector column holds stored bytes\n"
      "(docs/FORMAT.md). Locations are URIs (file:///... or s3://...).";
  return {spec, RunFiles};
}

Command HistoryCommand() {
  CommandSpec spec;
  spec.name = "history";
  spec.summary = "List a table's snapshots (the current one marked *)";
  spec.positionals = {"TABLE"};
  spec.flags = WithWarehouseFlags({{"format", "", "text|json", "output format", "text"}});
  return {spec, RunHistory};
}

}  // namespace ailake::cli
