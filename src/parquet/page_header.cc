#include "parquet/page_header.h"

namespace ailake::parquet {

format::PageHeader DictionaryPageHeader(int32_t entries) {
  format::PageHeader h;
  h.__set_type(format::PageType::DICTIONARY_PAGE);
  format::DictionaryPageHeader dh;
  dh.__set_num_values(entries);
  dh.__set_encoding(format::Encoding::PLAIN);
  dh.__set_is_sorted(false);
  h.__set_dictionary_page_header(dh);
  return h;
}

format::PageHeader DataPageHeader(const DataPageShape& page) {
  format::PageHeader h;
  if (page.v2) {
    h.__set_type(format::PageType::DATA_PAGE_V2);
    format::DataPageHeaderV2 dh;
    dh.__set_num_values(page.rows);
    dh.__set_num_nulls(page.nulls);
    dh.__set_num_rows(page.rows);
    dh.__set_encoding(page.encoding);
    dh.__set_definition_levels_byte_length(page.definition_levels_bytes);
    dh.__set_repetition_levels_byte_length(0);
    dh.__set_is_compressed(page.compressed);
    h.__set_data_page_header_v2(dh);
  } else {
    h.__set_type(format::PageType::DATA_PAGE);
    format::DataPageHeader dh;
    dh.__set_num_values(page.rows);
    dh.__set_encoding(page.encoding);
    dh.__set_definition_level_encoding(format::Encoding::RLE);
    dh.__set_repetition_level_encoding(format::Encoding::RLE);
    h.__set_data_page_header(dh);
  }
  return h;
}

format::PageEncodingStats EncodingStats(format::PageType::type page_type, format::Encoding::type encoding,
                                        int32_t count) {
  format::PageEncodingStats ps;
  ps.__set_page_type(page_type);
  ps.__set_encoding(encoding);
  ps.__set_count(count);
  return ps;
}

}  // namespace ailake::parquet
