// HNSW, the whole algorithm in one place.
//
// Graph: node i = row i of the VectorView. Level of node i is drawn from a hash of (seed, i) with
// multiplier 1/ln(M), so P(level >= L) = M^-L. Level 0 lists hold up to 2M neighbours, upper levels
// up to M; an inserted node picks up to M neighbours per level with the heuristic below, and its
// neighbours link back, re-pruning with the same heuristic when their list overflows.
//
// Neighbour-selection heuristic (paper's Algorithm 4, no extension, no kept-pruned): walk candidates
// from nearest to farthest; keep c unless some already kept r is closer to c than c is to the base
// node (then c is "covered" by r). Fewer candidates than the limit are all kept.
//
// Deterministic parallel build. A classic HNSW build inserts nodes one by one under per-node locks,
// so the graph depends on thread scheduling. We insert in batches instead (in row order):
//   A. every node of the batch searches the graph as it was at the start of the batch (frozen:
//      nobody links to batch nodes yet and no frozen list changes), adds its batch-mates on each
//      level to the candidates found (by exact distance), picks its neighbours and writes its own
//      lists — in parallel, no locks, no shared writes;
//   B. the back-links (target t gets source x on level l) are collected and sorted by (t, l, x);
//   C. each target's lists are updated by one task — in parallel over targets — appending sources in
//      x order and re-pruning with the heuristic when full;
//   D. the entry point moves to the first batch node with a new top level.
// Every step is a pure function of the frozen graph and the batch, and ties in distance are broken
// by row id everywhere, so the graph (hence the blob) is the same for any thread count. The search
// cannot see batch-mates, hence step A's extra candidates: without them the first batch of a new
// region of the data (rows often arrive grouped by document or topic) links only to distant older
// nodes, which cost 3 points of recall@10 on table_bench. Batches grow with the graph
// (inserted / kBatchDivisor, at most kMaxBatch) and early batches are single nodes, which
// makes the first levels of the graph exactly a sequential build. (ParlayANN's prefix-doubling batch
// insertion is the same idea.) Floating-point results depend on the kernel ISA, so "same bytes"
// holds per ISA (vec/distance.h).
//
// Search: greedy descent with ef = 1 through the upper levels, then a beam search of width ef on
// level 0. With an allowed-rows filter, filtered nodes are still expanded (the graph stays
// connected) but never enter the result set, and the search does not stop before it holds ef
// allowed rows or runs out of candidates.
#include "index/hnsw_index.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/thread_pool.h"
#include "index/hnsw_blob.h"

namespace ailake::index {

namespace {

constexpr size_t kBatchDivisor = 32;
constexpr size_t kMaxBatch = 1024;

struct Cand {
  float dist;
  uint32_t id;
};
// Strict total order (distances are never NaN: RowSpace maps NaN to +inf).
inline bool Nearer(const Cand& a, const Cand& b) { return a.dist < b.dist || (a.dist == b.dist && a.id < b.id); }
// std heaps are max-heaps under the comparator: FartherOnTop keeps the farthest at front().
struct FartherOnTop {
  bool operator()(const Cand& a, const Cand& b) const { return Nearer(a, b); }
};
struct NearestOnTop {
  bool operator()(const Cand& a, const Cand& b) const { return Nearer(b, a); }
};

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Level of one node, a pure function of (seed, node).
uint8_t DrawLevel(uint64_t seed, uint32_t node, double mult) {
  const uint64_t r = SplitMix64(seed ^ SplitMix64(node));
  const double u = static_cast<double>((r >> 11) + 1) * 0x1.0p-53;  // (0, 1]
  const double level = std::floor(-std::log(u) * mult);
  return static_cast<uint8_t>(std::min<double>(level, kMaxHnswLevel));
}

}  // namespace

// Per-thread scratch. visited uses epoch tags so starting a search costs O(1), not O(n).
struct HnswIndex::SearchContext {
  std::vector<uint16_t> visited;
  uint16_t epoch = 0;
  std::vector<Cand> candidates;  // NearestOnTop heap: the frontier
  std::vector<Cand> results;     // FartherOnTop heap: best ef so far
  std::vector<uint32_t> pending;
  std::vector<Cand> scratch;     // sorted candidates / selected neighbours during builds
  std::vector<Cand> selected;
  std::vector<float> query;      // a decoded row during builds

  void NewSearch(size_t n) {
    if (visited.size() != n) {
      visited.assign(n, 0);
      epoch = 0;
    }
    if (++epoch == 0) {  // wrapped: old tags could collide with the new epoch
      std::fill(visited.begin(), visited.end(), 0);
      epoch = 1;
    }
  }
  bool FirstVisit(uint32_t id) {
    if (visited[id] == epoch) return false;
    visited[id] = epoch;
    return true;
  }
};

namespace {

using SearchContext = HnswIndex::SearchContext;

// Greedy walk on one upper level: move to the nearest neighbour while that gets closer.
Cand GreedyDescend(const RowSpace& space, const HnswGraph& g, const float* q, float q_inv, Cand cur,
                   uint32_t level) {
  for (bool moved = true; moved;) {
    moved = false;
    const uint32_t* list = g.links(cur.id, level);
    const uint32_t degree = list[0];
    for (uint32_t j = 0; j < degree; ++j) {
      const uint32_t id = list[1 + j];
      const Cand c{space.QueryDistance(q, q_inv, id), id};
      if (Nearer(c, cur)) {
        cur = c;
        moved = true;
      }
    }
  }
  return cur;
}

// Beam search of width ef on one level from one entry; leaves the best ef (allowed) nodes in
// ctx.results as a FartherOnTop heap. The caller has called ctx.NewSearch.
template <bool kFiltered>
void SearchLayer(const RowSpace& space, const HnswGraph& g, SearchContext& ctx, const float* q, float q_inv,
                 Cand entry, size_t ef, uint32_t level, const AllowedRows* allowed) {
  auto& frontier = ctx.candidates;
  auto& best = ctx.results;
  frontier.clear();
  best.clear();
  ctx.FirstVisit(entry.id);
  frontier.push_back(entry);
  float bound = __builtin_inff();  // distance of the farthest kept result once best is non-empty
  if (!kFiltered || allowed->Contains(entry.id)) {
    best.push_back(entry);
    bound = entry.dist;
  }
  while (!frontier.empty()) {
    const Cand cur = frontier.front();
    // Everything left is farther than our worst result and the result set is full: done. (Without a
    // filter the result set holds every frontier node until it is full, so the size test only
    // matters with one.)
    if (cur.dist > bound && best.size() >= ef) break;
    std::pop_heap(frontier.begin(), frontier.end(), NearestOnTop{});
    frontier.pop_back();

    const uint32_t* list = g.links(cur.id, level);
    const uint32_t degree = list[0];
    auto& pending = ctx.pending;
    pending.clear();
    for (uint32_t j = 0; j < degree; ++j) {
      const uint32_t id = list[1 + j];
      if (ctx.FirstVisit(id)) pending.push_back(id);
    }
    // Rows are hinted kRowsAhead neighbours ahead of the distance that needs them, and the list of
    // every node entering the frontier as it enters: on a table larger than the last-level cache
    // both are mostly DRAM misses, and one neighbour ahead left a search waiting on them in turn.
    constexpr size_t kRowsAhead = 4;
    for (size_t j = 0; j < std::min(kRowsAhead, pending.size()); ++j) space.Prefetch(pending[j]);
    for (size_t j = 0; j < pending.size(); ++j) {
      if (j + kRowsAhead < pending.size()) space.Prefetch(pending[j + kRowsAhead]);
      const uint32_t id = pending[j];
      const float d = space.QueryDistance(q, q_inv, id);
      if (best.size() < ef || d < bound) {
        g.PrefetchLinks(id, level);
        frontier.push_back({d, id});
        std::push_heap(frontier.begin(), frontier.end(), NearestOnTop{});
        if (!kFiltered || allowed->Contains(id)) {
          best.push_back({d, id});
          std::push_heap(best.begin(), best.end(), FartherOnTop{});
          if (best.size() > ef) {
            std::pop_heap(best.begin(), best.end(), FartherOnTop{});
            best.pop_back();
          }
          bound = best.front().dist;
        }
      }
    }
  }
}

// The heuristic: from sorted (ascending distance to the base node), keep up to max_out nodes not
// covered by a nearer kept node. Writes the kept nodes to out (ascending distance).
void SelectNeighbors(const RowSpace& space, const std::vector<Cand>& sorted, uint32_t max_out,
                     std::vector<Cand>& out) {
  out.clear();
  if (sorted.size() <= max_out) {
    out = sorted;
    return;
  }
  for (const Cand& c : sorted) {
    if (out.size() >= max_out) break;
    bool covered = false;
    for (const Cand& r : out) {
      if (space.NodeDistance(c.id, r.id) < c.dist) {
        covered = true;
        break;
      }
    }
    if (!covered) out.push_back(c);
  }
}

void WriteList(uint32_t* list, const std::vector<Cand>& nodes) {
  list[0] = static_cast<uint32_t>(nodes.size());
  for (size_t j = 0; j < nodes.size(); ++j) list[1 + j] = nodes[j].id;
}

// Runs fn(i) for i in [0, n) on the pool (or inline without one).
void ForEach(ThreadPool* pool, size_t n, const std::function<void(size_t)>& fn) {
  if (pool == nullptr || n < 2) {
    for (size_t i = 0; i < n; ++i) fn(i);
  } else {
    pool->ParallelFor(n, fn);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Build

class HnswBuilder {
 public:
  HnswBuilder(HnswIndex& index, const HnswBuildParams& params, ThreadPool* pool)
      : index_(index), space_(index.space_), g_(index.graph_), params_(params), pool_(pool) {}

  void Run() {
    const uint32_t n = static_cast<uint32_t>(space_.count());
    g_.m = params_.m;
    g_.ef_construction = params_.ef_construction;
    g_.seed = params_.seed;
    const double mult = 1.0 / std::log(static_cast<double>(params_.m));
    std::vector<uint8_t> levels(n);
    for (uint32_t i = 0; i < n; ++i) levels[i] = DrawLevel(params_.seed, i, mult);
    g_.Allocate(std::move(levels));
    if (n == 0) return;
    g_.entry_point = 0;
    g_.max_level = g_.levels[0];
    size_t inserted = 1;
    while (inserted < n) {
      const size_t batch = std::clamp<size_t>(inserted / kBatchDivisor, 1, kMaxBatch);
      const size_t end = std::min<size_t>(n, inserted + batch);
      InsertBatch(static_cast<uint32_t>(inserted), static_cast<uint32_t>(end));
      inserted = end;
    }
  }

 private:
  struct BackLink {
    uint32_t target;
    uint32_t level;
    uint32_t source;
    bool operator<(const BackLink& o) const {
      if (target != o.target) return target < o.target;
      if (level != o.level) return level < o.level;
      return source < o.source;
    }
  };

  void InsertBatch(uint32_t begin, uint32_t end) {
    // A: search the frozen graph, write each batch node's own lists.
    const uint32_t entry = g_.entry_point;
    const uint32_t top = g_.max_level;
    ForEach(pool_, end - begin, [&](size_t i) { LinkNewNode(begin + static_cast<uint32_t>(i), entry, top, begin, end); });

    // B: back-links, in a scheduling-independent order.
    back_links_.clear();
    for (uint32_t x = begin; x < end; ++x) {
      const uint32_t lx = std::min<uint32_t>(g_.levels[x], top);
      for (uint32_t l = 0; l <= lx; ++l) {
        const uint32_t* list = g_.links(x, l);
        for (uint32_t j = 0; j < list[0]; ++j) back_links_.push_back({list[1 + j], l, x});
      }
    }
    std::sort(back_links_.begin(), back_links_.end());
    group_starts_.clear();
    for (size_t i = 0; i < back_links_.size(); ++i) {
      if (i == 0 || back_links_[i].target != back_links_[i - 1].target ||
          back_links_[i].level != back_links_[i - 1].level) {
        group_starts_.push_back(i);
      }
    }
    group_starts_.push_back(back_links_.size());

    // C: one task per (target, level) list.
    ForEach(pool_, group_starts_.size() - 1, [&](size_t gi) { AddBackLinks(group_starts_[gi], group_starts_[gi + 1]); });

    // D: entry point.
    for (uint32_t x = begin; x < end; ++x) {
      if (g_.levels[x] > g_.max_level) {
        g_.max_level = g_.levels[x];
        g_.entry_point = x;
      }
    }
  }

  // Neighbour candidates of x at each level: what the search of the frozen graph found, plus x's
  // batch-mates on that level (they are invisible to the search; without them the first batch of
  // a new region of the data — rows often arrive grouped — links only to distant older nodes).
  void LinkNewNode(uint32_t x, uint32_t entry, uint32_t top, uint32_t begin, uint32_t end) {
    auto ctx = index_.AcquireContext();
    ctx->query.resize(space_.dim());
    const float* q = ctx->query.data();
    space_.DecodeRow(x, ctx->query.data());
    const float q_inv = space_.QueryInvNorm(q);
    Cand cur{space_.QueryDistance(q, q_inv, entry), entry};
    const uint32_t lx = g_.levels[x];
    for (uint32_t l = top; l > lx; --l) cur = GreedyDescend(space_, g_, q, q_inv, cur, l);
    for (uint32_t l = std::min(lx, top) + 1; l-- > 0;) {
      ctx->NewSearch(space_.count());
      SearchLayer<false>(space_, g_, *ctx, q, q_inv, cur, params_.ef_construction, l, nullptr);
      auto& sorted = ctx->scratch;
      sorted.assign(ctx->results.begin(), ctx->results.end());
      // The next level's search starts from the nearest frozen node: a batch-mate's lists are
      // being written by another thread right now.
      cur = *std::min_element(sorted.begin(), sorted.end(), Nearer);
      for (uint32_t y = begin; y < end; ++y) {
        if (y != x && g_.levels[y] >= l) sorted.push_back({space_.NodeDistance(x, y), y});
      }
      std::sort(sorted.begin(), sorted.end(), Nearer);
      if (sorted.size() > params_.ef_construction) sorted.resize(params_.ef_construction);
      SelectNeighbors(space_, sorted, g_.m, ctx->selected);
      WriteList(g_.links(x, l), ctx->selected);
    }
    index_.ReleaseContext(std::move(ctx));
  }

  void AddBackLinks(size_t from, size_t to) {
    const uint32_t t = back_links_[from].target;
    const uint32_t l = back_links_[from].level;
    uint32_t* list = g_.links(t, l);
    const uint32_t cap = g_.capacity(l);
    // A batch-mate may already list its source (both picked each other): never link twice.
    auto listed = [&](uint32_t id) {
      for (uint32_t j = 0; j < list[0]; ++j) {
        if (list[1 + j] == id) return true;
      }
      return false;
    };
    size_t incoming = 0;
    for (size_t i = from; i < to; ++i) incoming += listed(back_links_[i].source) ? 0 : 1;
    if (incoming == 0) return;
    if (list[0] + incoming <= cap) {
      const uint32_t old = list[0];
      for (size_t i = from; i < to; ++i) {
        bool dup = false;
        for (uint32_t j = 0; j < old; ++j) dup = dup || list[1 + j] == back_links_[i].source;
        if (!dup) list[1 + list[0]++] = back_links_[i].source;
      }
      return;
    }
    // Overflow: re-select among old and new neighbours by distance to t.
    auto ctx = index_.AcquireContext();
    auto& sorted = ctx->scratch;
    sorted.clear();
    for (uint32_t j = 0; j < list[0]; ++j) sorted.push_back({space_.NodeDistance(t, list[1 + j]), list[1 + j]});
    for (size_t i = from; i < to; ++i) {
      if (!listed(back_links_[i].source)) sorted.push_back({space_.NodeDistance(t, back_links_[i].source), back_links_[i].source});
    }
    std::sort(sorted.begin(), sorted.end(), Nearer);
    SelectNeighbors(space_, sorted, cap, ctx->selected);
    WriteList(list, ctx->selected);
    index_.ReleaseContext(std::move(ctx));
  }

  HnswIndex& index_;
  const RowSpace& space_;
  HnswGraph& g_;
  HnswBuildParams params_;
  ThreadPool* pool_;
  std::vector<BackLink> back_links_;
  std::vector<size_t> group_starts_;
};

// ---------------------------------------------------------------------------------------------

HnswIndex::HnswIndex(const VectorView& view, size_t threads) : space_(view, threads) {}
HnswIndex::~HnswIndex() = default;

std::unique_ptr<HnswIndex::SearchContext> HnswIndex::AcquireContext() const {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!pool_.empty()) {
      auto ctx = std::move(pool_.back());
      pool_.pop_back();
      return ctx;
    }
  }
  return std::make_unique<SearchContext>();
}

void HnswIndex::ReleaseContext(std::unique_ptr<SearchContext> ctx) const {
  std::lock_guard<std::mutex> lock(pool_mu_);
  pool_.push_back(std::move(ctx));
}

Result<std::unique_ptr<HnswIndex>> HnswIndex::Build(const VectorView& view, const HnswBuildParams& params) {
  AILAKE_RETURN_IF_ERROR(view.Validate());
  if (params.m < kMinHnswM || params.m > kMaxHnswM) {
    return Status::InvalidArgument("hnsw: M must be in [2, 127], got " + std::to_string(params.m));
  }
  if (params.ef_construction == 0) return Status::InvalidArgument("hnsw: ef_construction must be at least 1");
  const size_t threads = params.threads == 0 ? ThreadPool::DefaultThreads() : params.threads;
  std::unique_ptr<HnswIndex> index(new HnswIndex(view, threads));
  // The calling thread works too, so the pool has threads - 1 workers.
  std::unique_ptr<ThreadPool> pool;
  if (threads > 1) pool = std::make_unique<ThreadPool>(threads - 1);
  HnswBuilder(*index, params, pool.get()).Run();
  return index;
}

Result<std::unique_ptr<VectorIndex>> HnswIndex::Load(std::span<const uint8_t> blob, const VectorView& view) {
  AILAKE_RETURN_IF_ERROR(view.Validate());
  AILAKE_ASSIGN_OR_RETURN(HnswGraph graph, DecodeHnswBlob(blob, view.count));
  std::unique_ptr<HnswIndex> index(new HnswIndex(view, 1));
  index->graph_ = std::move(graph);
  return std::unique_ptr<VectorIndex>(std::move(index));
}

std::vector<uint8_t> HnswIndex::Serialize() const { return EncodeHnswBlob(graph_); }

size_t HnswIndex::MemoryBytes() const {
  size_t scratch = 0;
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    for (const auto& c : pool_) scratch += c->visited.capacity() * sizeof(uint16_t);
  }
  return space_.MemoryBytes() + graph_.MemoryBytes() + scratch;
}

Result<std::vector<Neighbor>> HnswIndex::Search(const float* query, size_t k, size_t ef,
                                                const AllowedRows* allowed) const {
  if (query == nullptr) return Status::InvalidArgument("search: null query");
  if (k == 0) return Status::InvalidArgument("search: k must be at least 1");
  for (size_t i = 0; i < space_.dim(); ++i) {
    if (!std::isfinite(query[i])) {
      return Status::InvalidArgument("search: query element " + std::to_string(i) + " is not finite");
    }
  }
  std::vector<Neighbor> out;
  if (graph_.node_count == 0) return out;
  ef = std::max(ef, k);
  auto ctx = AcquireContext();
  const float q_inv = space_.QueryInvNorm(query);
  Cand cur{space_.QueryDistance(query, q_inv, graph_.entry_point), graph_.entry_point};
  for (uint32_t l = graph_.max_level; l > 0; --l) cur = GreedyDescend(space_, graph_, query, q_inv, cur, l);
  ctx->NewSearch(space_.count());
  if (allowed == nullptr) {
    SearchLayer<false>(space_, graph_, *ctx, query, q_inv, cur, ef, 0, nullptr);
  } else {
    SearchLayer<true>(space_, graph_, *ctx, query, q_inv, cur, ef, 0, allowed);
  }
  auto& best = ctx->results;
  std::sort(best.begin(), best.end(), Nearer);
  const size_t n = std::min(k, best.size());
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back({best[i].id, best[i].dist});
  ReleaseContext(std::move(ctx));
  return out;
}

}  // namespace ailake::index
