#include "cli/api_wording.h"

#include <string>
#include <utility>
#include <vector>

namespace ailake::cli {

Status CliWording(const Status& st) {
  if (st.ok()) return st;
  // The inverse of src/api/convert.cc ApiWording (longest phrases first).
  static const std::vector<std::pair<std::string, std::string>> kFields = {
      {"set WriteOptions.embedder", "pass --embedder"},
      {"set WriteOptions.generate_ids", "pass --generate-ids"},
      {"WriteOptions.embedder", "--embedder"},
      {"WriteOptions.text_field", "--text-field"},
      {"WriteOptions.generate_ids", "--generate-ids"},
      {"EmbedderOptions.model_name", "--model"},
      {"Table::History()", "'ailake history'"}};
  std::string m = st.message();
  for (const auto& [from, to] : kFields) {
    for (size_t at = m.find(from); at != std::string::npos; at = m.find(from, at + to.size())) m.replace(at, from.size(), to);
  }
  return Status(st.code(), std::move(m));
}

}  // namespace ailake::cli
