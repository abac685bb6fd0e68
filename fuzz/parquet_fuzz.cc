// libFuzzer target: the input bytes are a Parquet file. Opens it (tail, footer, schema) and reads
// every row group of every field (nested ones as JSON documents), rendering each row as JSON. Any crash, sanitizer report, leak or allocation above
// the fuzzer's limit is a bug; error Statuses are the expected outcome for most inputs.
//
// Run: build with clang -DAILAKE_FUZZ=ON, then
//   build/fuzz/parquet_fuzz -max_total_time=60 fuzz/corpus/parquet
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/io.h"
#include "parquet/reader.h"
#include "parquet/value_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ailake;
  using namespace ailake::parquet;
  ReaderOptions options;
  // Small caps keep each input's work bounded (the reader's defaults allow gigabytes).
  options.max_footer_bytes = 1u << 20;
  options.max_page_bytes = 4u << 20;
  options.max_column_values = 1u << 20;
  options.max_column_bytes = 64u << 20;
  auto reader = ParquetReader::Open(MakeBufferReadable(std::vector<uint8_t>(data, data + size), "fuzz.parquet"), options);
  if (!reader.ok()) return 0;
  for (int rg = 0; rg < (*reader)->num_row_groups(); ++rg) {
    auto batch = (*reader)->ReadRowGroup(rg, {});
    if (batch.ok()) {
      // The batch must be internally consistent whatever the input was.
      if (!batch->Validate().ok()) __builtin_trap();
      // Reading every field means every field: a missing one would be a silent omission.
      if (batch->columns.size() != (*reader)->schema().fields.size()) __builtin_trap();
      for (int64_t i = 0; i < batch->num_rows; ++i) (void)RowToJson(*batch, i);
    }
  }
  (void)(*reader)->info();
  return 0;
}
