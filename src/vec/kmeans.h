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
// Balanced training (`balance_slack` >= 0, what the clustered layout uses). Plain k-means settles
// with about one centre per natural cluster whatever its size, so a large cluster's cell holds
// many times a region's capacity, and the balanced assignment must push its overflow into regions
// whose centres do not point to it: searches then route to the wrong files. So after the plain
// iterations:
//   1. split and merge: while the largest cell holds more than (1 + balance_slack) x the mean of
//      the sample, the centre with the smallest cell moves into the largest, which is split in
//      two along its principal direction, and a few Lloyd iterations follow (at most 4k rounds);
//   2. balanced Lloyd: iterations (up to max_iterations, same tolerance) that assign the sample by
//      the balanced assignment below instead of nearest-centre, each centre moving to the mean of
//      the rows it got.
// Regions then follow the data's density, and nearly every row lands in the region of its nearest
// centre. Either step alone did worse on some data: step 2 alone stalls between well-separated
// clusters (a centre stuck half way to the large one; kmeans_test), step 1 alone keeps cutting
// through dense clusters when regions are few (10 regions of 100k lowrank rows: recall@10 from the
// nearest file 0.83, against 0.92-0.95 for step 2 or both). Measured on bench/gen_dataset's
// lowrank data, 1M rows into 100 regions at slack 1: rows in their nearest centre's region 85% of
// the table before, 100% of the training sample after, and the share of true top-10 neighbours
// in the 2 nearest files 0.86 -> 0.96 (docs/BENCHMARKS.md).

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
  // >= 0: balanced training with regions of at most (1 + balance_slack) x the mean (see above);
  // < 0: plain k-means.
  double balance_slack = -1;
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
