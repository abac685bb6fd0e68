// quickstart: the ailake C++ API in one page. Opens (or creates) a warehouse folder, creates a table,
// adds rows with vectors from the built-in hash embedder, and searches it by vector and by text.
//
//   quickstart [WAREHOUSE_DIR]        (default: ./quickstart-warehouse)
#include <cstdio>
#include <string>
#include <vector>

#include "ailake/ailake.h"

static int Fail(const ailake::Status& st) {
  std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
  return 1;
}

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "quickstart-warehouse";
  std::printf("ailake %s\n", ailake::Version());

  auto wh = ailake::Warehouse::Open(dir, {.create = true});
  if (!wh.ok()) return Fail(wh.status());

  // A deterministic embedder (feature hashing): its model identity is recorded with the vectors.
  auto embedder = ailake::MakeEmbedder("hash:dim=64,model=quickstart-hash@1");
  if (!embedder.ok()) return Fail(embedder.status());

  ailake::CreateTableOptions co;
  co.model = (*embedder)->model();
  co.model.dim = 64;
  co.if_not_exists = true;
  auto table = (*wh)->CreateTable("docs", co);
  if (!table.ok()) return Fail(table.status());

  const std::vector<std::string> texts = {"the telescope found a new comet", "roast the garlic in butter",
                                          "routers drop packets under load", "the harbor froze at low tide"};
  ailake::RecordBatch rows;
  rows.columns = {{.name = "id", .type = ailake::ValueType::kString},
                  {.name = "chunk_text", .type = ailake::ValueType::kString}};
  for (size_t i = 0; i < texts.size(); ++i) {
    rows.columns[0].AppendString("doc-" + std::to_string(i));
    rows.columns[1].AppendString(texts[i]);
  }
  std::vector<std::string_view> views(texts.begin(), texts.end());
  std::vector<float> vectors;
  if (auto st = (*embedder)->Embed(views, &vectors); !st.ok()) return Fail(st);

  // Upsert: running the example twice replaces the rows instead of duplicating them.
  auto written = (*table)->Add(rows, vectors.data(), 64, {.mode = ailake::WriteMode::kUpsert});
  if (!written.ok()) return Fail(written.status());
  std::printf("added %lld rows (snapshot %lld)\n", static_cast<long long>(written->rows),
              static_cast<long long>(written->snapshot_id));

  ailake::SearchOptions so;
  so.k = 2;
  so.columns = {"chunk_text"};
  auto found = (*table)->SearchText({"a comet seen through the telescope"}, **embedder, so);
  if (!found.ok()) return Fail(found.status());
  const ailake::SearchResult& r = (*found)[0];
  for (size_t i = 0; i < r.ids.size(); ++i) {
    std::printf("%zu. %s  distance %.4f  %s\n", i + 1, r.ids[i].c_str(), r.distances[i],
                r.values.columns[0].strings[i].c_str());
  }
  auto info = (*table)->Info();
  if (!info.ok()) return Fail(info.status());
  std::printf("table %s: %lld live rows, model %s\n", info->name.c_str(), static_cast<long long>(info->live_rows),
              info->model.Id().c_str());
  return 0;
}
