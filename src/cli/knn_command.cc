// `ailake knn FILE ...`: nearest-neighbour search inside one AI-Lake file (a debugging aid and the
// handle for benchmarks). The query comes from a .fvecs file, from a row of the file itself, or
// from a text embedded by an embedder spec.
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>

#include "ailake/embedder.h"
#include "ailake/file.h"
#include "cli/commands.h"

namespace ailake::cli {

namespace {

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// A distance as a JSON number: the shortest text that reads back as the same float (what `cat`
// prints for float columns); NaN and infinities, which JSON lacks, as strings.
std::string JsonFloat(float v) {
  if (std::isnan(v)) return "\"NaN\"";
  if (std::isinf(v)) return v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

int RunKnn(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  const std::string format = args.get("format");
  if (format != "text" && format != "json") return ReportError(Status::InvalidArgument("--format must be text or json"), err);
  int sources = int(args.has("vector-file")) + int(args.has("row")) + int(args.has("text"));
  if (sources != 1) {
    return ReportError(Status::InvalidArgument("give exactly one query: --vector-file Q.fvecs, --row N, or --text T --embedder SPEC"), err);
  }
  auto k = args.GetInt("k", 1, 100000);
  if (!k.ok()) return ReportError(k.status(), err);
  auto ef = args.GetInt("ef", 1, 1000000);
  if (!ef.ok()) return ReportError(ef.status(), err);
  auto searcher = FileSearcher::Open(args.positional(0), args.get("column"));
  if (!searcher.ok()) return ReportError(searcher.status(), err);
  const FileVectorColumn& meta = (*searcher)->column();
  const size_t dim = meta.model.dim;

  std::vector<float> queries;
  size_t nq = 0;
  if (args.has("vector-file")) {
    auto fv = ReadFvecs(args.get("vector-file"));
    if (!fv.ok()) return ReportError(fv.status(), err);
    if (fv->dim != dim) {
      return ReportError(Status::InvalidArgument("query vectors have dim " + std::to_string(fv->dim) + " but column '" +
                                                 meta.name + "' has dim " + std::to_string(dim)), err);
    }
    queries = std::move(fv->values);
    nq = fv->count;
    if (args.has("query-index")) {
      auto qi = args.GetInt("query-index", 0, static_cast<long long>(nq) - 1);
      if (!qi.ok()) return ReportError(qi.status(), err);
      queries = std::vector<float>(queries.begin() + *qi * dim, queries.begin() + (*qi + 1) * dim);
      nq = 1;
    }
  } else if (args.has("row")) {
    auto row = args.GetInt("row", 0, static_cast<long long>(meta.rows) - 1);
    if (!row.ok()) return ReportError(row.status(), err);
    auto v = (*searcher)->RowVector(static_cast<size_t>(*row));
    if (!v.ok()) return ReportError(v.status(), err);
    queries = std::move(*v);
    nq = 1;
  } else {
    if (!args.has("embedder")) return ReportError(Status::InvalidArgument("--text needs --embedder SPEC"), err);
    auto emb = MakeEmbedder(args.get("embedder"));
    if (!emb.ok()) return ReportError(emb.status(), err);
    if ((*emb)->model().dim != dim) {
      return ReportError(Status::InvalidArgument("embedder produces dim " + std::to_string((*emb)->model().dim) +
                                                 " but column '" + meta.name + "' has dim " + std::to_string(dim)), err);
    }
    if (!(*emb)->model().SameModel(meta.model) && !args.has("any-model")) {
      return ReportError(Status::InvalidArgument("embedder model '" + (*emb)->model().Id() + "' differs from the model '" +
                                                 meta.model.Id() + "' that wrote column '" + meta.name +
                                                 "' (pass --any-model to search anyway)"), err);
    }
    std::string text = args.get("text");
    Status st = (*emb)->Embed({text}, &queries);
    if (!st.ok()) return ReportError(st, err);
    nq = 1;
  }

  FileSearchOptions options;
  options.k = static_cast<size_t>(*k);
  options.ef = static_cast<size_t>(*ef);
  options.exact = args.has("exact");
  if (args.has("columns")) options.columns = SplitList(args.get("columns"));
  auto results = (*searcher)->Search(queries.data(), nq, dim, options);
  if (!results.ok()) return ReportError(results.status(), err);
  for (size_t q = 0; q < nq; ++q) {
    const std::vector<FileHit>& hits = (*results)[q];
    if (format == "json") {
      // The values arrive as JSON texts; the line is assembled as text so they are copied verbatim.
      std::string line = "{\"query\":" + std::to_string(q) + ",\"results\":[";
      for (size_t i = 0; i < hits.size(); ++i) {
        const FileHit& h = hits[i];
        if (i) line += ",";
        line += "{\"row\":" + std::to_string(h.row) + ",\"distance\":" + JsonFloat(h.distance);
        for (size_t c = 0; c < h.values.size(); ++c) {
          line += "," + nlohmann::json(options.columns[c]).dump() + ":" + h.values[c];
        }
        line += "}";
      }
      out << line << "]}\n";
    } else {
      out << "query " << q << ": column=" << meta.name << " model=" << meta.model.Id()
          << " index=" << (options.exact ? "exact" : std::string(IndexKindName(meta.index))) << " k=" << *k
          << " ef=" << *ef << "\n";
      for (size_t i = 0; i < hits.size(); ++i) {
        const FileHit& h = hits[i];
        out << "  " << (i + 1) << ". row " << h.row << "  distance " << h.distance;
        for (size_t c = 0; c < h.values.size(); ++c) {
          std::string v = h.values[c];
          if (v.size() > 100) v = v.substr(0, 97) + "...";
          out << "  " << options.columns[c] << "=" << v;
        }
        out << "\n";
      }
    }
  }
  return 0;
}

}  // namespace

Command KnnCommand() {
  CommandSpec spec;
  spec.name = "knn";
  spec.summary = "Nearest-neighbour search inside one AI-Lake file";
  spec.positionals = {"FILE"};
  spec.flags = {
      {"vector-file", "", "Q.fvecs", "query vectors (.fvecs: int32 dim + dim float32 each)", ""},
      {"query-index", "", "I", "only the I-th vector of --vector-file", ""},
      {"row", "", "N", "use row N's own vector as the query", ""},
      {"text", "", "T", "embed T with --embedder and search for it", ""},
      {"embedder", "", "SPEC", "embedder for --text, e.g. hash:dim=256,seed=0", ""},
      {"any-model", "", "", "allow --embedder's model to differ from the column's model", ""},
      {"column", "", "NAME", "vector column (default: the file's primary one)", ""},
      {"k", "k", "N", "number of neighbours", "10"},
      {"ef", "", "N", "HNSW search list size (higher: better recall, slower)", "64"},
      {"exact", "", "", "exact scan of every row instead of the index", ""},
      {"columns", "", "a,b,...", "print these columns of each hit", ""},
      {"format", "", "text|json", "output format (json: one line per query)", "text"},
  };
  return {spec, RunKnn};
}

}  // namespace ailake::cli
