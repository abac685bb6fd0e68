#include "embed/redact.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <set>

namespace ailake::embed {

namespace {

// Parts of "scheme://userinfo@host/path?query#fragment" (offsets into the URL; npos when absent).
struct UrlParts {
  size_t host_start = 0;    // after "://" (or 0)
  size_t userinfo_end = std::string_view::npos;  // the '@' ending userinfo
  size_t query = std::string_view::npos;         // the '?'
  size_t query_end = 0;                          // '#' or end
};

UrlParts Split(std::string_view u) {
  UrlParts p;
  auto scheme = u.find("://");
  p.host_start = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t host_end = u.find_first_of("/?#", p.host_start);
  if (host_end == std::string_view::npos) host_end = u.size();
  auto at = u.rfind('@', host_end == 0 ? 0 : host_end - 1);
  if (at != std::string_view::npos && at >= p.host_start && at < host_end) p.userinfo_end = at;
  auto frag = u.find('#', p.host_start);
  p.query_end = frag == std::string_view::npos ? u.size() : frag;
  auto q = u.find('?', p.host_start);
  if (q != std::string_view::npos && q < p.query_end) p.query = q;
  return p;
}

bool IsCredentialParam(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::set<std::string> names = {"key",      "api_key", "api-key",   "apikey", "token", "access_token",
                                              "secret",   "password", "sig",      "signature", "auth", "code",
                                              "client_secret", "x-api-key"};
  return names.count(name) > 0;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string Base64(std::string_view s) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(s[i]) << 16) | (static_cast<uint8_t>(s[i + 1]) << 8) | static_cast<uint8_t>(s[i + 2]);
    for (int k = 3; k >= 0; --k) out.push_back(kAlphabet[(v >> (6 * k)) & 63]);
  }
  if (i < s.size()) {
    uint32_t v = static_cast<uint8_t>(s[i]) << 16;
    if (i + 1 < s.size()) v |= static_cast<uint8_t>(s[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < s.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// Rewrites the query string of `url`: each parameter value for which `hide(name)` holds becomes
// "***". Returns whether anything changed.
bool RewriteQuery(std::string* url, const std::function<bool(const std::string&)>& hide) {
  UrlParts p = Split(*url);
  if (p.query == std::string::npos) return false;
  std::string query = url->substr(p.query + 1, p.query_end - p.query - 1);
  std::string out;
  bool changed = false;
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string::npos) amp = query.size();
    std::string item = query.substr(start, amp - start);
    auto eq = item.find('=');
    std::string name = PercentDecode(item.substr(0, eq));
    if (eq != std::string::npos && hide(name) && item.substr(eq + 1) != "***") {
      item = item.substr(0, eq + 1) + "***";
      changed = true;
    }
    if (!out.empty() || start > 0) out += "&";
    out += item;
    start = amp + 1;
  }
  url->replace(p.query + 1, p.query_end - p.query - 1, out);
  return changed;
}

// Applies `fix` to every URL ("scheme://" up to ',' or whitespace) inside a spec.
std::string ForEachUrl(std::string_view spec, const std::function<std::string(std::string)>& fix) {
  std::string out;
  size_t i = 0;
  while (i < spec.size()) {
    auto sep = spec.find("://", i);
    if (sep == std::string_view::npos) break;
    size_t start = sep;
    while (start > i && (std::isalnum(static_cast<unsigned char>(spec[start - 1])) || spec[start - 1] == '+' ||
                         spec[start - 1] == '-' || spec[start - 1] == '.')) {
      --start;
    }
    size_t end = spec.find_first_of(", \t\r\n", sep);
    if (end == std::string_view::npos) end = spec.size();
    out += spec.substr(i, start - i);
    out += fix(std::string(spec.substr(start, end - start)));
    i = end;
  }
  out += spec.substr(i);
  return out;
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  std::string u(url);
  UrlParts p = Split(u);
  if (p.userinfo_end != std::string::npos) u.replace(p.host_start, p.userinfo_end - p.host_start, "***");
  RewriteQuery(&u, [](const std::string&) { return true; });
  return u;
}

std::string RedactedSpec(std::string_view spec) {
  return ForEachUrl(spec, [](std::string u) { return RedactUrl(u); });
}

std::string PersistableSpec(std::string_view spec, bool* removed) {
  bool any = false;
  std::string out = ForEachUrl(spec, [&](std::string u) {
    UrlParts p = Split(u);
    if (p.userinfo_end != std::string::npos) {
      u.erase(p.host_start, p.userinfo_end - p.host_start + 1);
      any = true;
    }
    if (RewriteQuery(&u, IsCredentialParam)) any = true;
    return u;
  });
  if (removed != nullptr) *removed = any;
  return out;
}

std::vector<std::string> UrlSecrets(std::string_view url) {
  std::vector<std::string> out;
  UrlParts p = Split(url);
  if (p.userinfo_end != std::string_view::npos) {
    std::string info(url.substr(p.host_start, p.userinfo_end - p.host_start));
    out.push_back(info);
    auto colon = info.find(':');
    if (colon != std::string::npos) {
      out.push_back(info.substr(0, colon));
      out.push_back(info.substr(colon + 1));
    }
  }
  if (p.query != std::string_view::npos) {
    std::string query(url.substr(p.query + 1, p.query_end - p.query - 1));
    size_t start = 0;
    while (start <= query.size()) {
      size_t amp = query.find('&', start);
      if (amp == std::string::npos) amp = query.size();
      std::string item = query.substr(start, amp - start);
      auto eq = item.find('=');
      if (eq != std::string::npos && IsCredentialParam(PercentDecode(item.substr(0, eq)))) {
        out.push_back(item.substr(eq + 1));
      }
      start = amp + 1;
    }
  }
  std::vector<std::string> decoded;
  for (const auto& s : out) decoded.push_back(PercentDecode(s));
  out.insert(out.end(), decoded.begin(), decoded.end());
  return out;
}

namespace {

// How many bytes of `text` at `at` spell the character `c`: raw, percent-encoded (either case; '+'
// for a space), or JSON-escaped (\", \\, \/, \n, \r, \t, \b, \f, \u00XX). 0 when they do not.
size_t MatchChar(std::string_view text, size_t at, char c) {
  const char t = text[at];
  if (t == c) return 1;
  if (t == '+' && c == ' ') return 1;
  if (t == '%' && at + 2 < text.size() && HexValue(text[at + 1]) >= 0 && HexValue(text[at + 2]) >= 0 &&
      static_cast<char>(HexValue(text[at + 1]) * 16 + HexValue(text[at + 2])) == c) {
    return 3;
  }
  if (t == '\\' && at + 1 < text.size()) {
    const char e = text[at + 1];
    static const std::string_view kFrom = "\"\\/nrtbf", kTo = "\"\\/\n\r\t\b\f";
    auto k = kFrom.find(e);
    if (k != std::string_view::npos) return kTo[k] == c ? 2 : 0;
    if (e == 'u' && at + 5 < text.size()) {
      int v = 0;
      for (size_t h = 2; h < 6; ++h) {
        int d = HexValue(text[at + h]);
        if (d < 0) return 0;
        v = v * 16 + d;
      }
      return v == static_cast<unsigned char>(c) ? 6 : 0;
    }
  }
  return 0;
}

// Length of the spelling of `secret` starting at `at` (each character in any encoding), or 0.
size_t MatchSecret(std::string_view text, size_t at, std::string_view secret) {
  size_t pos = at;
  for (char c : secret) {
    if (pos >= text.size()) return 0;
    size_t n = MatchChar(text, pos, c);
    if (n == 0) return 0;
    pos += n;
  }
  return pos - at;
}

}  // namespace

std::string RedactSecrets(std::string text, const std::vector<std::string>& secrets) {
  static const std::string kMark = "<redacted>";
  std::vector<std::string> all;
  for (const auto& s : secrets) {
    if (s.size() < 4) continue;  // replacing tiny strings everywhere would shred ordinary text
    all.push_back(s);
    all.push_back(Base64(s));
  }
  // Longest first, so a secret containing another is replaced whole.
  std::sort(all.begin(), all.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& s : all) {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
      size_t n = MatchSecret(text, i, s);
      if (n > 0) {
        out += kMark;
        i += n;
      } else {
        out.push_back(text[i++]);
      }
    }
    text = std::move(out);
  }
  return text;
}

}  // namespace ailake::embed
