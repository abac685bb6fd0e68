// k-means for region building (clustered table layout, docs/ARCHITECTURE.md "Clustered layout").
//
// Space. Every metric is clustered in a Euclidean space after a per-metric transform:
//   euclidean           raw vectors, squared L2 (the metric itself)
//   cosine, normalized  vectors L2-normalised; squared L2 on unit vectors is 2 - 2 cos, so nearest
//                       by L2 is nearest by cosine, and centroids are re-normalised after each
//                       update (spherical k-means)
//   dot                 treated as cosine. Assigning by largest inner product is not a partition
//                       into compact regions (a centroid of large norm wins every point around it),
//                       so it cannot give files a small radius. Dot-product embedding models encode
//                       meaning in the direction (their norms sit in a narrow band), so grouping by
//                       direction is what puts neighbours together; the file bounds stay exact
//                       whatever grouping is used.
// Rows with a non-finite value are never used for training and count as nearest to region 0 (the
// file's centroid/radius ignores them too, vec/centroid.h, so they cannot loosen a bound).
//
// Training: a deterministic sample (at most sample_rows rows, chosen by the seed) -> k-means++
// initialisation -> Lloyd iterations (assignment in parallel over the pool, SIMD squared L2 from
// vec/distance.h) until at most `tolerance` of the sample changes region or max_iterations. An
// empty cluster is re-seeded with the sample point farthest from its centre. Results depend only
// on (data, options): not on the thread count.
//
// Balanced assignment: every region gets a capacity of ceil(n / k * (1 + slack)) rows. Each row
// lists its `candidates` nearest centres; rows pick in order of how much they would lose by not
// getting their nearest (second-nearest minus nearest distance, largest first), each taking its
// nearest centre with room left; a row whose candidates are all full takes the region with room
// whose centre is nearest to its own nearest centre. Since k * capacity >= n there is always one. Invariants: every row gets
// exactly one region, no region exceeds its capacity, and with capacity to spare every row gets its
// nearest centre (the plain assignment).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ailake/status.h"
#include "ailake/types.h"

namespace ailake {
class ThreadPool;
}

namespace ailake::vec {

struct KMeansOptions {
  size_t k = 8;
  size_t sample_rows = 50000;   // rows trained on (a deterministic sample when there are more)
  size_t max_iterations = 25;
  double tolerance = 0.001;     // stop when at most this fraction of the sample changes region
  uint64_t seed = 1;
};

// Region centres in the clustering space (unit vectors for cosine/normalized/dot).
struct KMeansModel {
  VectorMetric metric = VectorMetric::kCosine;
  size_t dim = 0;
  std::vector<float> centroids;  // k x dim
  size_t k() const { return dim == 0 ? 0 : centroids.size() / dim; }
};

// Whether `metric` is clustered on unit vectors (cosine, normalized cosine, dot).
bool ClustersDirections(VectorMetric metric);
// Writes the clustering-space form of one vector into `out` (dim floats); false when the vector has
// a non-finite value.
bool ToClusterSpace(VectorMetric metric, const float* v, size_t dim, float* out);

// Trains k centres on `n` rows of `dim` floats. InvalidArgument when k is 0, or larger than the
// number of finite rows. `pool` may be null (the calling thread does everything).
Result<KMeansModel> TrainKMeans(VectorMetric metric, const float* data, size_t n, size_t dim,
                                const KMeansOptions& options, ThreadPool* pool);

// Nearest centre of one vector (raw, as stored; transformed here); 0 for a non-finite vector.
uint32_t NearestRegion(const KMeansModel& model, const float* v);

// The m nearest centres of every row, flattened (row i's are [i*m, i*m + m), nearest first), with
// their squared distances in clustering space. A non-finite row lists region 0 at distance 0 in
// every slot.
struct RegionCandidates {
  size_t m = 0;
  std::vector<uint32_t> region;
  std::vector<float> distance;
  size_t rows() const { return m == 0 ? 0 : region.size() / m; }
};
// Appends the candidates of `n` rows (raw, as stored) to `out` (out->m must be set, 1..k), in
// parallel over `pool` when given.
void AddRegionCandidates(const KMeansModel& model, const float* rows, size_t n, RegionCandidates* out,
                         ThreadPool* pool);

size_t RegionCapacity(size_t n, size_t k, double slack);
// Balanced assignment (see the file comment) of the rows of `candidates` to the model's k regions,
// each holding at most RegionCapacity(rows, k, slack) rows. A row whose candidates are all full
// takes the region with room whose centre is nearest to the row's nearest centre.
std::vector<uint32_t> BalancedAssign(const KMeansModel& model, const RegionCandidates& candidates, double slack);

}  // namespace ailake::vec
