#include "store/s3_xml.h"

#include <charconv>

namespace ailake::s3xml {

const Node* Node::Child(std::string_view child_name) const {
  for (const auto& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::string Node::ChildText(std::string_view child_name) const {
  const Node* c = Child(child_name);
  return c ? c->text : std::string();
}

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':' ||
         (static_cast<unsigned char>(c) >= 0x80);
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Parser {
 public:
  Parser(std::string_view in, const Limits& limits) : in_(in), limits_(limits) {}

  Result<Node> Document() {
    if (in_.size() > limits_.max_input_bytes) {
      return Status::ResourceExhausted("S3 XML response of " + std::to_string(in_.size()) + " bytes is over the " +
                                       std::to_string(limits_.max_input_bytes) + "-byte limit");
    }
    if (in_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // UTF-8 byte order mark
    AILAKE_RETURN_IF_ERROR(SkipMisc());
    if (pos_ >= in_.size() || in_[pos_] != '<') return Bad("no root element");
    Node root;
    AILAKE_RETURN_IF_ERROR(Element(&root, 1));
    AILAKE_RETURN_IF_ERROR(SkipMisc());
    if (pos_ != in_.size()) return Bad("content after the root element");
    return root;
  }

 private:
  Status Bad(const std::string& what) const {
    return Status::Corruption("malformed XML from the S3 server at byte " + std::to_string(pos_) + ": " + what);
  }
  bool StartsWith(std::string_view s) const { return in_.substr(pos_, s.size()) == s; }
  void SkipSpace() {
    while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\r' || in_[pos_] == '\n')) ++pos_;
  }
  Status SkipPast(std::string_view end, const char* what) {
    auto e = in_.find(end, pos_);
    if (e == std::string_view::npos) return Bad(std::string("unterminated ") + what);
    pos_ = e + end.size();
    return Status::OK();
  }
  // Whitespace, comments and processing instructions (the declaration) outside the root.
  Status SkipMisc() {
    for (;;) {
      SkipSpace();
      if (StartsWith("<?")) {
        AILAKE_RETURN_IF_ERROR(SkipPast("?>", "processing instruction"));
      } else if (StartsWith("<!--")) {
        AILAKE_RETURN_IF_ERROR(SkipPast("-->", "comment"));
      } else if (StartsWith("<!")) {
        return Bad("DOCTYPE/DTD declarations are not accepted");
      } else {
        return Status::OK();
      }
    }
  }
  Result<std::string> Name() {
    size_t start = pos_;
    while (pos_ < in_.size() && IsNameChar(in_[pos_])) ++pos_;
    if (pos_ == start) return Bad("expected a name");
    std::string_view n = in_.substr(start, pos_ - start);
    auto colon = n.rfind(':');
    if (colon != std::string_view::npos) n = n.substr(colon + 1);
    return std::string(n);
  }
  // Decodes text up to the next '<' (or the closing quote for attributes, which we discard).
  Status Text(char stop, std::string* out) {
    while (pos_ < in_.size() && in_[pos_] != stop) {
      char c = in_[pos_];
      if (stop != '<' && c == '<') return Bad("'<' in an attribute value");
      if (c != '&') {
        *out += c;
        ++pos_;
        continue;
      }
      auto semi = in_.find(';', pos_);
      if (semi == std::string_view::npos || semi - pos_ > 12) return Bad("unterminated entity reference");
      std::string_view ent = in_.substr(pos_ + 1, semi - pos_ - 1);
      pos_ = semi + 1;
      if (ent == "amp") *out += '&';
      else if (ent == "lt") *out += '<';
      else if (ent == "gt") *out += '>';
      else if (ent == "quot") *out += '"';
      else if (ent == "apos") *out += '\'';
      else if (!ent.empty() && ent[0] == '#') {
        uint32_t cp = 0;
        std::string_view digits = ent.substr(1);
        int base = 10;
        if (!digits.empty() && (digits[0] == 'x' || digits[0] == 'X')) {
          digits.remove_prefix(1);
          base = 16;
        }
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, base);
        if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || cp == 0 || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
          return Bad("bad character reference '&" + std::string(ent) + ";'");
        }
        AppendUtf8(cp, out);
      } else {
        return Bad("unknown entity '&" + std::string(ent.substr(0, 16)) + ";' (only the predefined ones are accepted)");
      }
    }
    return Status::OK();
  }
  Status Element(Node* node, int depth) {
    if (depth > limits_.max_depth) return Bad("nesting deeper than " + std::to_string(limits_.max_depth));
    if (++elements_ > limits_.max_elements) {
      return Status::ResourceExhausted("S3 XML response has more than " + std::to_string(limits_.max_elements) +
                                       " elements");
    }
    ++pos_;  // '<'
    const size_t name_start = pos_;
    AILAKE_ASSIGN_OR_RETURN(node->name, Name());
    const std::string_view raw_name = in_.substr(name_start, pos_ - name_start);
    // Attributes: parsed for well-formedness, then dropped (S3 puts only xmlns there).
    for (;;) {
      SkipSpace();
      if (pos_ >= in_.size()) return Bad("unterminated start tag <" + node->name + ">");
      if (StartsWith("/>")) {
        pos_ += 2;
        return Status::OK();
      }
      if (in_[pos_] == '>') {
        ++pos_;
        break;
      }
      AILAKE_RETURN_IF_ERROR(Name().status());
      SkipSpace();
      if (pos_ >= in_.size() || in_[pos_] != '=') return Bad("attribute without '='");
      ++pos_;
      SkipSpace();
      if (pos_ >= in_.size() || (in_[pos_] != '"' && in_[pos_] != '\'')) return Bad("unquoted attribute value");
      const char quote = in_[pos_++];
      std::string ignored;
      AILAKE_RETURN_IF_ERROR(Text(quote, &ignored));
      if (pos_ >= in_.size()) return Bad("unterminated attribute value");
      ++pos_;
    }
    // Content.
    for (;;) {
      AILAKE_RETURN_IF_ERROR(Text('<', &node->text));
      if (pos_ >= in_.size()) return Bad("element <" + node->name + "> is not closed");
      if (StartsWith("</")) {
        pos_ += 2;
        if (in_.substr(pos_, raw_name.size()) != raw_name) return Bad("mismatched end tag for <" + node->name + ">");
        pos_ += raw_name.size();
        SkipSpace();
        if (pos_ >= in_.size() || in_[pos_] != '>') return Bad("malformed end tag");
        ++pos_;
        return Status::OK();
      }
      if (StartsWith("<!--")) {
        AILAKE_RETURN_IF_ERROR(SkipPast("-->", "comment"));
      } else if (StartsWith("<![CDATA[")) {
        pos_ += 9;
        auto e = in_.find("]]>", pos_);
        if (e == std::string_view::npos) return Bad("unterminated CDATA");
        node->text.append(in_.substr(pos_, e - pos_));
        pos_ = e + 3;
      } else if (StartsWith("<?")) {
        AILAKE_RETURN_IF_ERROR(SkipPast("?>", "processing instruction"));
      } else if (StartsWith("<!")) {
        return Bad("declarations are not accepted inside elements");
      } else {
        node->children.emplace_back();
        AILAKE_RETURN_IF_ERROR(Element(&node->children.back(), depth + 1));
      }
    }
  }

  std::string_view in_;
  Limits limits_;
  size_t pos_ = 0;
  size_t elements_ = 0;
};

}  // namespace

Result<Node> Parse(std::string_view xml, const Limits& limits) { return Parser(xml, limits).Document(); }

}  // namespace ailake::s3xml
