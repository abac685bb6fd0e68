// verify: checks that a table's current snapshot is what its metadata says, without trusting either.
//
// Default (fast; reads footers, AILK sections and the primary vector column of every live file):
//   - table: the properties (ailake.dim, metric, precision, model, vector column) agree with the
//     current schema's vector column (FIXED of RowBytes(precision, dim));
//   - each data file: its location is inside the table's folder, its size equals the manifest's
//     file_size_in_bytes, its footer parses, its row count matches the manifest, its primary vector
//     column exists with the table's dim, metric and precision, its model is the table's model (a file
//     on another model is reported naming that model; while a migration runs such files are notes,
//     not problems), the manifest's vector statistics agree with the footer, and its AILK section and
//     index validate against its vectors;
//   - each delete file: inside the table, its size matches, it parses and its positions are in range.
// Deep (--deep) additionally, per data file: decodes every page of every column (verifying page CRCs
// where the writer stored them), checks every vector of every vector column is finite (and, for
// cosine metrics, not all zeros: such a vector has no direction), and that each index has one node
// per row.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ailake/status.h"
#include "table/table.h"

namespace ailake::table {

struct VerifyOptions {
  bool deep = false;
};

struct VerifyReport {
  int64_t snapshot_id = 0;
  size_t data_files = 0;
  size_t delete_files = 0;
  int64_t rows = 0;
  bool deep = false;
  std::vector<std::string> problems;  // empty = healthy
  std::vector<std::string> notes;     // expected while a migration runs; not problems
};

Result<VerifyReport> VerifyTable(Table& table, const VerifyOptions& options = {});

}  // namespace ailake::table
