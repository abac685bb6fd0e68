#include "parquet/chunk_metadata.h"

#include "parquet/compression.h"
#include "parquet/writer_schema.h"

namespace ailake::parquet {

format::Statistics StatisticsToThrift(const ChunkStatistics& st, DataType type) {
  format::Statistics t;
  t.__set_null_count(st.null_count);
  if (st.has_min) {
    t.__set_min_value(st.min);
    t.__set_is_min_value_exact(st.min_exact);
  }
  if (st.has_max) {
    t.__set_max_value(st.max);
    t.__set_is_max_value_exact(st.max_exact);
  }
  if (LegacyStatsCompatible(type)) {
    if (st.has_min) t.__set_min(st.min);
    if (st.has_max) t.__set_max(st.max);
  }
  return t;
}

format::ColumnMetaData ChunkMetaData(const Field& field, const WrittenChunk& chunk, int64_t num_values,
                                     const std::optional<ChunkStatistics>& stats) {
  format::ColumnMetaData md;
  md.__set_type(ParquetPhysicalType(field.type));
  std::vector<format::Encoding::type> encodings;
  if (chunk.dictionary) encodings.push_back(format::Encoding::PLAIN);  // the dictionary page
  encodings.push_back(chunk.value_encoding);
  if (field.nullable) encodings.push_back(format::Encoding::RLE);  // definition levels
  md.__set_encodings(encodings);
  md.__set_path_in_schema({field.name});
  md.__set_codec(static_cast<format::CompressionCodec::type>(CompressionToThrift(chunk.codec)));
  md.__set_num_values(num_values);
  md.__set_total_uncompressed_size(chunk.uncompressed_bytes);
  md.__set_total_compressed_size(chunk.compressed_bytes);
  md.__set_data_page_offset(chunk.data_offset);
  if (chunk.dictionary_offset >= 0) md.__set_dictionary_page_offset(chunk.dictionary_offset);
  if (stats) md.__set_statistics(StatisticsToThrift(*stats, field.type));
  md.__set_encoding_stats(chunk.page_stats);
  return md;
}

}  // namespace ailake::parquet
