// The `--where` parser: a hand-written lexer and recursive-descent parser (grammar in predicate.h).
//
// Every error names what was expected, the 1-based column, and the text. Recursion happens only
// through NOT and parentheses and is capped at kMaxPredicateDepth; AND/OR chains are loops producing
// one n-ary node, so hostile input (deep nesting, long chains) cannot exhaust the stack.
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

#include "table/predicate.h"
#include "table/predicate_internal.h"
#include "core/civil_time.h"

namespace ailake::table {

namespace {

struct Token {
  enum class Kind : uint8_t { kEnd, kIdent, kQuotedIdent, kString, kNumber, kOp, kLParen, kRParen, kComma, kMinus, kPlus };
  Kind kind = Kind::kEnd;
  int32_t pos = 0;
  std::string_view raw;  // source spelling
  std::string value;     // kString / kQuotedIdent: unescaped
  CompareOp op = CompareOp::kEq;
};

bool IdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool KeywordIs(const Token& t, std::string_view kw) {
  if (t.kind != Token::Kind::kIdent || t.raw.size() != kw.size()) return false;
  for (size_t i = 0; i < kw.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(t.raw[i])) != kw[i]) return false;
  return true;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Status Run(Predicate* out) {
    out_ = out;
    if (text_.size() > kMaxPredicateBytes)
      return Status::InvalidArgument("--where: the expression is " + std::to_string(text_.size()) +
                                     " bytes; the limit is " + std::to_string(kMaxPredicateBytes));
    AILAKE_RETURN_IF_ERROR(Next());
    if (tok_.kind == Token::Kind::kEnd) return Status::InvalidArgument("--where: the expression is empty");
    int32_t root;
    AILAKE_RETURN_IF_ERROR(ParseOr(0, &root));
    if (tok_.kind == Token::Kind::kRParen) return Error("unmatched ')'", tok_.pos);
    if (tok_.kind != Token::Kind::kEnd)
      return Error("expected AND, OR or the end of the expression, found " + Describe(tok_), tok_.pos);
    out->root = root;
    return Status::OK();
  }

 private:
  Status Error(const std::string& what, int32_t pos) const {
    return predicate_internal::WhereError(text_, what, pos);
  }

  static std::string Describe(const Token& t) {
    if (t.kind == Token::Kind::kEnd) return "the end of the expression";
    std::string raw(t.raw.substr(0, 40));
    return "'" + raw + (t.raw.size() > 40 ? "..." : "") + "'";
  }

  Status Next() {
    size_t i = at_;
    while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
    tok_ = Token();
    tok_.pos = static_cast<int32_t>(i);
    if (i >= text_.size()) {
      at_ = i;
      return Status::OK();
    }
    const char c = text_[i];
    size_t j = i + 1;
    auto one = [&](Token::Kind k) { tok_.kind = k; };
    if (IdentStart(c)) {
      while (j < text_.size() && IdentChar(text_[j])) ++j;
      tok_.kind = Token::Kind::kIdent;
    } else if (c == '"' || c == '\'') {
      // Quoted identifier or string; a doubled quote stands for one.
      std::string v;
      for (;;) {
        if (j >= text_.size())
          return Error(std::string("unterminated ") + (c == '"' ? "quoted column name" : "string"), tok_.pos);
        if (text_[j] == c) {
          if (j + 1 < text_.size() && text_[j + 1] == c) {
            v.push_back(c);
            j += 2;
            continue;
          }
          ++j;
          break;
        }
        v.push_back(text_[j++]);
      }
      tok_.kind = c == '"' ? Token::Kind::kQuotedIdent : Token::Kind::kString;
      if (c == '"' && v.empty()) return Error("empty quoted column name", tok_.pos);
      tok_.value = std::move(v);
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j])))) {
      while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
      if (j < text_.size() && text_[j] == '.') {
        ++j;
        while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
      }
      if (j < text_.size() && (text_[j] == 'e' || text_[j] == 'E')) {
        size_t k = j + 1;
        if (k < text_.size() && (text_[k] == '+' || text_[k] == '-')) ++k;
        if (k >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[k])))
          return Error("malformed number (exponent without digits)", tok_.pos);
        while (k < text_.size() && std::isdigit(static_cast<unsigned char>(text_[k]))) ++k;
        j = k;
      }
      if (j < text_.size() && (IdentChar(text_[j]) || text_[j] == '.'))
        return Error("malformed number '" + std::string(text_.substr(i, j + 1 - i)) + "'", tok_.pos);
      tok_.kind = Token::Kind::kNumber;
    } else if (c == '=') {
      one(Token::Kind::kOp);
      tok_.op = CompareOp::kEq;
      if (j < text_.size() && text_[j] == '=') ++j;  // accept == too
    } else if (c == '!') {
      if (j >= text_.size() || text_[j] != '=') return Error("unexpected character '!' (did you mean '!=')", tok_.pos);
      ++j;
      one(Token::Kind::kOp);
      tok_.op = CompareOp::kNe;
    } else if (c == '<') {
      one(Token::Kind::kOp);
      tok_.op = CompareOp::kLt;
      if (j < text_.size() && text_[j] == '=') tok_.op = CompareOp::kLe, ++j;
      else if (j < text_.size() && text_[j] == '>') tok_.op = CompareOp::kNe, ++j;
    } else if (c == '>') {
      one(Token::Kind::kOp);
      tok_.op = CompareOp::kGt;
      if (j < text_.size() && text_[j] == '=') tok_.op = CompareOp::kGe, ++j;
    } else if (c == '(') {
      one(Token::Kind::kLParen);
    } else if (c == ')') {
      one(Token::Kind::kRParen);
    } else if (c == ',') {
      one(Token::Kind::kComma);
    } else if (c == '-') {
      one(Token::Kind::kMinus);
    } else if (c == '+') {
      one(Token::Kind::kPlus);
    } else {
      const unsigned char u = static_cast<unsigned char>(c);
      std::string shown = u >= 0x20 && u < 0x7F ? std::string(1, c) : "\\x" + std::string(1, "0123456789abcdef"[u >> 4]) +
                                                                         std::string(1, "0123456789abcdef"[u & 15]);
      return Error("unexpected character '" + shown + "'", tok_.pos);
    }
    tok_.raw = text_.substr(i, j - i);
    at_ = j;
    return Status::OK();
  }

  int32_t Add(PredicateNode n) {
    out_->nodes.push_back(std::move(n));
    return static_cast<int32_t>(out_->nodes.size() - 1);
  }

  Status ParseOr(int depth, int32_t* out) { return ParseChain(depth, PredicateNode::Kind::kOr, out); }

  // or/and: one n-ary node for a chain, built in a loop.
  Status ParseChain(int depth, PredicateNode::Kind kind, int32_t* out) {
    const bool is_or = kind == PredicateNode::Kind::kOr;
    std::vector<int32_t> parts(1);
    AILAKE_RETURN_IF_ERROR(is_or ? ParseChain(depth, PredicateNode::Kind::kAnd, &parts[0]) : ParseNot(depth, &parts[0]));
    while (KeywordIs(tok_, is_or ? "OR" : "AND")) {
      AILAKE_RETURN_IF_ERROR(Next());
      int32_t part;
      AILAKE_RETURN_IF_ERROR(is_or ? ParseChain(depth, PredicateNode::Kind::kAnd, &part) : ParseNot(depth, &part));
      parts.push_back(part);
    }
    if (parts.size() == 1) {
      *out = parts[0];
      return Status::OK();
    }
    PredicateNode n;
    n.kind = kind;
    n.children = std::move(parts);
    *out = Add(std::move(n));
    return Status::OK();
  }

  Status Deeper(int depth) const {
    if (depth + 1 > kMaxPredicateDepth)
      return Error("the expression nests deeper than " + std::to_string(kMaxPredicateDepth) +
                       " levels of NOT and parentheses",
                   tok_.pos);
    return Status::OK();
  }

  Status ParseNot(int depth, int32_t* out) {
    if (KeywordIs(tok_, "NOT")) {
      AILAKE_RETURN_IF_ERROR(Deeper(depth));
      AILAKE_RETURN_IF_ERROR(Next());
      PredicateNode n;
      n.kind = PredicateNode::Kind::kNot;
      int32_t child;
      AILAKE_RETURN_IF_ERROR(ParseNot(depth + 1, &child));
      n.children.push_back(child);
      *out = Add(std::move(n));
      return Status::OK();
    }
    if (tok_.kind == Token::Kind::kLParen) {
      AILAKE_RETURN_IF_ERROR(Deeper(depth));
      const int32_t open = tok_.pos;
      AILAKE_RETURN_IF_ERROR(Next());
      AILAKE_RETURN_IF_ERROR(ParseOr(depth + 1, out));
      if (tok_.kind != Token::Kind::kRParen)
        return Error("expected ')' to close the '(' at column " + std::to_string(open + 1) + ", found " + Describe(tok_),
                     tok_.pos);
      return Next();
    }
    return ParseComparison(out);
  }

  static bool Reserved(const Token& t) {
    for (std::string_view kw : {"AND", "OR", "NOT", "IN", "IS", "NULL"})
      if (KeywordIs(t, kw)) return true;
    return false;
  }

  Status ParseComparison(int32_t* out) {
    PredicateNode n;
    n.column_pos = tok_.pos;
    if (tok_.kind == Token::Kind::kQuotedIdent) {
      n.column = tok_.value;
    } else if (tok_.kind == Token::Kind::kIdent && !Reserved(tok_)) {
      n.column = std::string(tok_.raw);
    } else if (tok_.kind == Token::Kind::kIdent) {
      return Error("expected a column name, found the keyword " + Describe(tok_) +
                       " (write \"" + std::string(tok_.raw) + "\" for a column of that name)",
                   tok_.pos);
    } else if (tok_.kind == Token::Kind::kString) {
      return Error("expected a column name, found the string " + Describe(tok_) +
                       " (column names are bare or in \"double quotes\"; values go on the right: col = 'x')",
                   tok_.pos);
    } else {
      return Error("expected a column name, NOT or '(', found " + Describe(tok_), tok_.pos);
    }
    AILAKE_RETURN_IF_ERROR(Next());
    const std::string col_shown = "'" + n.column + "'";
    if (tok_.kind == Token::Kind::kOp) {
      n.kind = PredicateNode::Kind::kCompare;
      n.op = tok_.op;
      const std::string op_raw(tok_.raw);
      AILAKE_RETURN_IF_ERROR(Next());
      PredicateLiteral lit;
      AILAKE_RETURN_IF_ERROR(ParseLiteral("after '" + op_raw + "'", &lit));
      n.values.push_back(std::move(lit));
    } else if (KeywordIs(tok_, "IN") || KeywordIs(tok_, "NOT")) {
      if (KeywordIs(tok_, "NOT")) {
        AILAKE_RETURN_IF_ERROR(Next());
        if (!KeywordIs(tok_, "IN"))
          return Error("expected IN after " + col_shown + " NOT, found " + Describe(tok_), tok_.pos);
        n.negated_in = true;
      }
      n.kind = PredicateNode::Kind::kIn;
      AILAKE_RETURN_IF_ERROR(Next());
      if (tok_.kind != Token::Kind::kLParen) return Error("expected '(' after IN, found " + Describe(tok_), tok_.pos);
      AILAKE_RETURN_IF_ERROR(Next());
      for (;;) {
        PredicateLiteral lit;
        AILAKE_RETURN_IF_ERROR(ParseLiteral("in the IN list", &lit));
        n.values.push_back(std::move(lit));
        if (tok_.kind == Token::Kind::kRParen) break;
        if (tok_.kind != Token::Kind::kComma)
          return Error("expected ',' or ')' in the IN list, found " + Describe(tok_), tok_.pos);
        AILAKE_RETURN_IF_ERROR(Next());
      }
      AILAKE_RETURN_IF_ERROR(Next());
    } else if (KeywordIs(tok_, "IS")) {
      AILAKE_RETURN_IF_ERROR(Next());
      n.kind = PredicateNode::Kind::kIsNull;
      if (KeywordIs(tok_, "NOT")) {
        n.kind = PredicateNode::Kind::kIsNotNull;
        AILAKE_RETURN_IF_ERROR(Next());
      }
      if (!KeywordIs(tok_, "NULL")) return Error("expected NULL or NOT NULL after IS, found " + Describe(tok_), tok_.pos);
      AILAKE_RETURN_IF_ERROR(Next());
    } else {
      return Error("expected an operator (=, !=, <>, <, <=, >, >=, IN, NOT IN, IS) after " + col_shown + ", found " +
                       Describe(tok_),
                   tok_.pos);
    }
    *out = Add(std::move(n));
    return Status::OK();
  }

  Status ParseNumber(bool negative, int32_t pos, PredicateLiteral* lit) {
    const std::string_view raw = tok_.raw;
    lit->pos = pos;
    const bool integral = raw.find_first_of(".eE") == std::string_view::npos;
    if (integral) {
      // Parse the magnitude as unsigned so -9223372036854775808 is exact.
      uint64_t mag = 0;
      auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), mag);
      const uint64_t limit = negative ? (uint64_t{1} << 63) : (uint64_t{1} << 63) - 1;
      if (ec == std::errc() && p == raw.data() + raw.size() && mag <= limit) {
        lit->kind = PredicateLiteral::Kind::kInt;
        lit->i = negative ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
        return Next();
      }
      // Beyond int64: compared as a double, which is still exact for ordering against any int64.
    }
    double d = 0;
    auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), d);
    if (ec == std::errc::result_out_of_range) {
      // Overflow is out of every column's range; underflow is zero for every purpose here.
      bool tiny = false;
      const size_t e = raw.find_first_of("eE");
      if (e != std::string_view::npos && e + 1 < raw.size() && raw[e + 1] == '-') tiny = true;
      if (!tiny) return Error("number " + std::string(raw) + " is out of range", tok_.pos);
      d = 0;
    } else if (ec != std::errc() || p != raw.data() + raw.size() || !std::isfinite(d)) {
      return Error("malformed number '" + std::string(raw) + "'", tok_.pos);
    }
    lit->kind = PredicateLiteral::Kind::kDouble;
    lit->d = negative ? -d : d;
    return Next();
  }

  Status ParseLiteral(const std::string& where, PredicateLiteral* lit) {
    const int32_t pos = tok_.pos;
    lit->pos = pos;
    if (tok_.kind == Token::Kind::kMinus || tok_.kind == Token::Kind::kPlus) {
      const bool negative = tok_.kind == Token::Kind::kMinus;
      AILAKE_RETURN_IF_ERROR(Next());
      if (tok_.kind != Token::Kind::kNumber)
        return Error(std::string("expected a number after '") + (negative ? "-" : "+") + "', found " + Describe(tok_),
                     tok_.pos);
      return ParseNumber(negative, pos, lit);
    }
    switch (tok_.kind) {
      case Token::Kind::kNumber: return ParseNumber(false, pos, lit);
      case Token::Kind::kString:
        lit->kind = PredicateLiteral::Kind::kString;
        lit->s = std::move(tok_.value);
        return Next();
      case Token::Kind::kIdent: break;
      case Token::Kind::kQuotedIdent:
        return Error("expected a value " + where + ", found the column name " + Describe(tok_) +
                         " (strings take 'single quotes'; comparing two columns is not supported)",
                     pos);
      default: return Error("expected a value " + where + ", found " + Describe(tok_), pos);
    }
    if (KeywordIs(tok_, "TRUE") || KeywordIs(tok_, "FALSE")) {
      lit->kind = PredicateLiteral::Kind::kBool;
      lit->i = KeywordIs(tok_, "TRUE") ? 1 : 0;
      return Next();
    }
    if (KeywordIs(tok_, "NULL"))
      return Error("comparing with NULL is never true; use IS NULL or IS NOT NULL", pos);
    const bool is_date = KeywordIs(tok_, "DATE");
    if (is_date || KeywordIs(tok_, "TIMESTAMP")) {
      const std::string kw = is_date ? "DATE" : "TIMESTAMP";
      const std::string example = is_date ? "DATE '2024-01-31'" : "TIMESTAMP '2024-01-31 12:00:00'";
      AILAKE_RETURN_IF_ERROR(Next());
      if (tok_.kind != Token::Kind::kString)
        return Error("expected a quoted value after " + kw + ", like " + example + ", found " + Describe(tok_), tok_.pos);
      if (is_date) {
        lit->kind = PredicateLiteral::Kind::kDate;
        auto days = civil::ParseDate(tok_.value);
        if (!days.ok()) return Error("invalid date '" + tok_.value + "' (expected a real date as YYYY-MM-DD)", tok_.pos);
        lit->i = *days;
      } else {
        lit->kind = PredicateLiteral::Kind::kTimestamp;
        // More than nine fraction digits would be rounded away; a comparison must not be.
        auto t = civil::ParseInstant(tok_.value);
        if (!t.ok() || t->fraction_digits > 9)
          return Error("invalid timestamp '" + tok_.value +
                           "' (expected YYYY-MM-DD[ HH:MM[:SS[.fffffffff]]][Z|+HH:MM], UTC unless an offset is given)",
                       tok_.pos);
        lit->i = t->seconds;
        lit->nanos = t->nanos;
      }
      return Next();
    }
    return Error("expected a value " + where + ", found " + Describe(tok_) +
                     " (strings take 'single quotes'; comparing two columns is not supported)",
                 pos);
  }

  std::string_view text_;
  size_t at_ = 0;
  Token tok_;
  Predicate* out_ = nullptr;
};

}  // namespace

Result<Predicate> ParsePredicate(std::string_view text) {
  Predicate p;
  p.text_ = std::string(text);
  Parser parser(p.text_);
  Status st = parser.Run(&p);
  if (!st.ok()) return st;
  return p;
}

}  // namespace ailake::table
