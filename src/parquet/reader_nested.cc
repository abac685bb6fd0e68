#include "parquet/reader_nested.h"

#include <set>
#include <string>

#include "parquet/value_json.h"

namespace ailake::parquet {

namespace {

class Assembler {
 public:
  Assembler(const NestedNode& root, const std::vector<LeafColumn>& leaves, std::vector<LeafChunk>& chunks)
      : root_(root) {
    cursors_.resize(chunks.size());
    for (size_t i = 0; i < chunks.size(); ++i) {
      Cursor& c = cursors_[i];
      LeafChunk& ch = chunks[i];
      c.leaf = &leaves[static_cast<size_t>(root.first_leaf) + i];
      c.defs = std::move(ch.defs);
      c.reps = std::move(ch.reps);
      c.levels = static_cast<size_t>(ch.levels);
      // The dense values as a Column of the leaf's type, so leaves render like top-level columns.
      c.values = Column(c.leaf->value);
      c.values.set_length(ch.values.count);
      c.values.values() = std::move(ch.values.data);
      if (ch.values.width == 0) c.values.offsets() = std::move(ch.values.offsets);
    }
  }

  Status Row(std::string* out) {
    for (Cursor& c : cursors_) {
      if (c.level >= c.levels) return Corrupt(c, "has fewer rows than the row group");
      if (Rep(c) != 0) return Corrupt(c, "does not start a row with repetition level 0");
    }
    return Value(root_, 0, out);
  }

  Status Finish() {
    for (Cursor& c : cursors_) {
      if (c.level != c.levels) return Corrupt(c, "has more levels than the row group's rows use");
      if (c.next_value != c.values.length()) return Corrupt(c, "has more values than its definition levels use");
    }
    return Status::OK();
  }

 private:
  struct Cursor {
    const LeafColumn* leaf = nullptr;
    std::vector<int16_t> defs, reps;
    size_t levels = 0;
    size_t level = 0;
    Column values;
    int64_t next_value = 0;
  };

  Cursor& At(int leaf) { return cursors_[static_cast<size_t>(leaf - root_.first_leaf)]; }
  int16_t Def(const Cursor& c) const { return c.defs.empty() ? c.leaf->max_def : c.defs[c.level]; }
  int16_t Rep(const Cursor& c) const { return c.reps.empty() ? 0 : c.reps[c.level]; }
  Status Corrupt(const Cursor& c, const std::string& what) const {
    return Status::Corruption("nested column '" + c.leaf->path + "' " + what + " (at level " + std::to_string(c.level) +
                              ")");
  }

  // Every leaf under `node` has one entry here with a definition level below `below` (the node is
  // null or an empty list): consume it.
  Status SkipAbsent(const NestedNode& node, int16_t below) {
    for (int l = node.first_leaf; l < node.first_leaf + node.num_leaves; ++l) {
      Cursor& c = At(l);
      if (c.level >= c.levels) return Corrupt(c, "ends inside a row");
      if (Def(c) >= below) return Corrupt(c, "disagrees with its sibling columns about a null or empty value");
      ++c.level;
    }
    return Status::OK();
  }

  // One value of `node`, whose parent is present at definition level parent_def.
  Status Value(const NestedNode& node, int16_t parent_def, std::string* out) {
    Cursor& first = At(node.first_leaf);
    if (first.level >= first.levels) return Corrupt(first, "ends inside a row");
    const int16_t d = Def(first);
    if (d < parent_def) return Corrupt(first, "has a definition level below its parent's");
    if (d < node.def) {
      AILAKE_RETURN_IF_ERROR(SkipAbsent(node, node.def));
      *out += "null";
      return Status::OK();
    }
    switch (node.kind) {
      case NestedNode::Kind::kPrimitive: {
        if (d != first.leaf->max_def) return Corrupt(first, "has a definition level above its maximum");
        if (first.next_value >= first.values.length()) return Corrupt(first, "has fewer values than its levels need");
        AppendValueJson(first.leaf->value, first.values, first.next_value++, out);
        ++first.level;
        return Status::OK();
      }
      case NestedNode::Kind::kStruct: {
        out->push_back('{');
        for (size_t i = 0; i < node.children.size(); ++i) {
          if (i) out->push_back(',');
          AppendJsonString(node.children[i].name, out);
          out->push_back(':');
          AILAKE_RETURN_IF_ERROR(Value(node.children[i], node.def, out));
        }
        out->push_back('}');
        return Status::OK();
      }
      case NestedNode::Kind::kList:
      case NestedNode::Kind::kMap: {
        const bool map = node.kind == NestedNode::Kind::kMap;
        if (d < node.elem_def) {  // present but empty
          AILAKE_RETURN_IF_ERROR(SkipAbsent(node, node.elem_def));
          *out += map ? "{}" : "[]";
          return Status::OK();
        }
        out->push_back(map ? '{' : '[');
        std::set<std::string> keys;
        std::string key;
        for (bool more = true, first_element = true; more; first_element = false) {
          if (!first_element) out->push_back(',');
          if (map) {
            key.clear();
            AILAKE_RETURN_IF_ERROR(Value(node.children[0], node.elem_def, &key));
            if (key == "null") return Corrupt(At(node.children[0].first_leaf), "has a null map key");
            if (key.front() != '"') key = "\"" + key + "\"";  // numbers, booleans: their text
            if (!keys.insert(key).second)
              return Status::NotSupported("map '" + node.name + "' repeats the key " + key +
                                          " in one row; a JSON object cannot hold both values");
            *out += key;
            out->push_back(':');
            AILAKE_RETURN_IF_ERROR(Value(node.children[1], node.elem_def, out));
          } else {
            AILAKE_RETURN_IF_ERROR(Value(node.children[0], node.elem_def, out));
          }
          // Another element of this list starts with repetition level node.rep in every leaf.
          Cursor& f = At(node.first_leaf);
          more = f.level < f.levels && Rep(f) == node.rep;
          if (f.level < f.levels && Rep(f) > node.rep) return Corrupt(f, "repeats deeper than its list allows");
          for (int l = node.first_leaf + 1; l < node.first_leaf + node.num_leaves; ++l) {
            Cursor& c = At(l);
            const bool c_more = c.level < c.levels && Rep(c) == node.rep;
            if (c_more != more) return Corrupt(c, "disagrees with its sibling columns about a list's length");
          }
        }
        out->push_back(map ? '}' : ']');
        return Status::OK();
      }
    }
    return Status::Internal("unknown nested node kind");
  }

  const NestedNode& root_;
  std::vector<Cursor> cursors_;
};

}  // namespace

Status AssembleNestedJson(const NestedNode& root, const std::vector<LeafColumn>& leaves, std::vector<LeafChunk>& chunks,
                          int64_t num_rows, uint64_t max_bytes, Column* out) {
  if (chunks.size() != static_cast<size_t>(root.num_leaves) || root.num_leaves <= 0 ||
      static_cast<size_t>(root.first_leaf) + chunks.size() > leaves.size())
    return Status::Internal("nested assembly: leaf chunks do not match the schema");
  Assembler a(root, leaves, chunks);
  std::string doc;
  for (int64_t r = 0; r < num_rows; ++r) {
    doc.clear();
    AILAKE_RETURN_IF_ERROR(a.Row(&doc));
    if (out->values().size() + doc.size() > max_bytes)
      return Status::ResourceExhausted("nested column '" + root.name + "' renders to more than the reader's limit of " +
                                       std::to_string(max_bytes) + " bytes in one row group");
    if (root.optional && doc == "null") out->AppendNull();
    else out->AppendString(doc);
  }
  return a.Finish();
}

}  // namespace ailake::parquet
