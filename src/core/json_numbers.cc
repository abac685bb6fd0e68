#include "core/json_numbers.h"

#include <cmath>
#include <vector>

namespace ailake {

Status CheckJsonNumbersCastable(const nlohmann::json& doc, const std::string& where) {
  // Iterative: nesting depth comes from the document.
  std::vector<const nlohmann::json*> todo{&doc};
  while (!todo.empty()) {
    const nlohmann::json* v = todo.back();
    todo.pop_back();
    if (v->is_number_float()) {
      const double d = v->get<double>();
      if (!std::isfinite(d) || std::fabs(d) >= 2147483648.0) {
        return Status::Corruption(where + ": a number (" + v->dump() +
                                  ") is not an integer this document can hold; the file is damaged or not ailake's");
      }
    } else if (v->is_structured()) {
      for (const auto& child : *v) todo.push_back(&child);
    }
  }
  return Status::OK();
}

}  // namespace ailake
