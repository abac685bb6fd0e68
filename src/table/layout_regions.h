// The regions object of a clustered table (docs/ARCHITECTURE.md "Clustered layout").
//
// A clustered table's files each hold one region of the vector space. The region centres are kept
// in one immutable JSON object per layout version, `<table>/metadata/regions-<uuid>.json`, named by
// two table properties the clustering commit sets:
//   ailake.layout          = "clustered"
//   ailake.layout.regions  = "regions-<uuid>.json"   (a file name in the table's metadata/ folder)
// Appends read it to route each row to its nearest region (table/table_writer.h). Search does not
// need it: each file's own centroid/radius in the manifests bound its rows. Expire treats the
// object the property names as referenced; older regions objects are orphans (deleted after the
// grace period like any other).
//
// Object (all keys required):
//   {"format": "ailake-regions", "version": 1,
//    "model": NAME, "model-version": VERSION, "dim": D, "metric": "cosine"|"euclidean"|"dot"|"normalized_cosine",
//    "space": "unit"|"raw",            unit: centres are unit vectors (cosine, normalized, dot; vec/kmeans.h)
//    "regions": [{"centroid": HEX, "rows": N}, ...]}   HEX: D little-endian float32, 8 hex digits each
// The object is untrusted input: its size, region count, dimension and every value are checked,
// and the property must be a plain file name of the form above (it can name nothing outside the
// table's metadata/ folder).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "ailake/types.h"
#include "store/store.h"
#include "vec/kmeans.h"

namespace ailake::table {

inline constexpr const char* kPropLayout = "ailake.layout";
inline constexpr const char* kLayoutClustered = "clustered";
inline constexpr const char* kPropLayoutRegions = "ailake.layout.regions";

struct LayoutRegions {
  EmbeddingModelInfo model;        // name, version, dim, metric of the vectors clustered
  vec::KMeansModel centres;        // k x dim, in the model's clustering space
  std::vector<int64_t> rows;       // rows per region when the layout was written (informative)
};

std::string RegionsJson(const LayoutRegions& regions);
// `where` names the object in messages.
Result<LayoutRegions> ParseRegions(const std::string& text, const std::string& where);

// The store key of a regions object named `name` (the property's value) in table `table_key`;
// InvalidArgument/Corruption when `name` is not of the form regions-<uuid>.json.
Result<std::string> RegionsKey(const std::string& table_key, const std::string& name);
// Writes a new regions object (put-if-absent at a fresh name) and returns its name.
Result<std::string> WriteRegions(Store& store, const std::string& table_key, const LayoutRegions& regions);

// The regions appends of `model` are routed by: set when the properties say the layout is
// clustered and the object they name was made for the same model (name, version, dim, metric).
// A table whose model changed since (a migration cut over) is not routed until clustered again.
Result<std::optional<LayoutRegions>> LoadRegions(const Store& store, const std::string& table_key,
                                                 const std::map<std::string, std::string>& properties,
                                                 const EmbeddingModelInfo& model);

}  // namespace ailake::table
