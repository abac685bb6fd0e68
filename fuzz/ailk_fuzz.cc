// libFuzzer target: an AI-Lake file from arbitrary bytes. Exercises the Parquet footer, the AILK
// footer keys, section decoding and validation, vector decoding and the index loader, then one
// search when everything loaded. Any crash, hang or sanitizer report is a bug: bad bytes must only
// ever produce a Status.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "file/ailk_section.h"
#include "file/file_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ailake;
  // 1) The section decoder alone, on the raw input.
  (void)file::DecodeAilkSection(data, size, 0, size, "fuzz");
  // 2) A whole file.
  auto reader = file::AiLakeFileReader::Open(MakeBufferReadable(std::vector<uint8_t>(data, data + size), "fuzz.parquet"));
  if (!reader.ok()) return 0;
  for (const auto& meta : (*reader)->vector_columns()) {
    if (meta.model.dim > 4096) continue;  // keep iterations fast; sizes are capped elsewhere anyway
    auto col = (*reader)->LoadColumn(meta.name);
    if (!col.ok()) continue;
    std::vector<float> q(meta.model.dim, 0.5f);
    (void)(*col)->Search(q.data(), 3, 16, false);
  }
  return 0;
}
