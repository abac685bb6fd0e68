// A small XML reader for S3 responses (ListObjectsV2, errors, multipart uploads).
//
// Why hand-written: the responses use a tiny subset of XML (elements, text, a declaration, maybe
// attributes and namespaces), and Debian's XML libraries (libxml2, expat) bring entity expansion,
// DTDs and network fetching that we would have to switch off one by one. Here, everything from the
// server is untrusted: DOCTYPE/DTDs and custom entities are refused, only the five predefined
// entities and numeric character references are decoded, and depth, element count and input size
// are capped before anything grows. Malformed input is kCorruption, never a crash.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ailake/status.h"

namespace ailake::s3xml {

struct Node {
  std::string name;  // local name, any "ns:" prefix removed
  std::string text;  // concatenated character data directly inside this element
  std::vector<Node> children;

  // First child with this name, or nullptr.
  const Node* Child(std::string_view child_name) const;
  // Text of the first child with this name ("" when absent).
  std::string ChildText(std::string_view child_name) const;
};

struct Limits {
  size_t max_input_bytes = 64ull << 20;
  int max_depth = 32;
  size_t max_elements = 200000;
};

// The document's root element.
Result<Node> Parse(std::string_view xml, const Limits& limits = {});

// Escapes text for an element body (&, <, >).
std::string Escape(std::string_view text);

}  // namespace ailake::s3xml
