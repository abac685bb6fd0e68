#include "store/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>

namespace ailake::sigv4 {

namespace {

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string Digest(const EVP_MD* md, const void* data, size_t length) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data, length, out, &len, md, nullptr);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Header values: leading/trailing spaces trimmed, inner runs of spaces folded to one.
std::string CanonicalValue(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string Sha256Hex(const void* data, size_t length) { return HexEncode(Digest(EVP_sha256(), data, length)); }
std::string Md5(const void* data, size_t length) { return Digest(EVP_md5(), data, length); }

std::string UriEncode(std::string_view s, bool encode_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encode_slash)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool UriDecode(std::string_view s, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      *out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return false;
    int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return false;
    *out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

std::string CanonicalQuery(const Headers& query) {
  std::vector<std::pair<std::string, std::string>> enc;
  for (const auto& [k, v] : query) enc.emplace_back(UriEncode(k, true), UriEncode(v, true));
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [k, v] : enc) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

std::string CanonicalRequest(const Request& r, const Headers& signed_headers) {
  std::vector<std::pair<std::string, std::string>> h;
  for (const auto& [k, v] : signed_headers) h.emplace_back(Lower(k), CanonicalValue(v));
  std::sort(h.begin(), h.end());
  std::string headers, names;
  for (const auto& [k, v] : h) {
    headers += k + ":" + v + "\n";
    if (!names.empty()) names += ';';
    names += k;
  }
  return r.method + "\n" + r.canonical_uri + "\n" + CanonicalQuery(r.query) + "\n" + headers + "\n" + names + "\n" +
         r.payload_sha256;
}

Headers Sign(const Request& r, const Key& key, const std::string& region, const std::string& service,
             const std::string& amz_date) {
  Headers add = {{"x-amz-date", amz_date}, {"x-amz-content-sha256", r.payload_sha256}};
  if (!key.session_token.empty()) add.emplace_back("x-amz-security-token", key.session_token);
  Headers all = r.headers;
  all.insert(all.end(), add.begin(), add.end());
  // Duplicate names would sign differently from what the server sees; callers never send any.
  std::string names;
  {
    std::vector<std::string> n;
    for (const auto& [k, v] : all) n.push_back(Lower(k));
    std::sort(n.begin(), n.end());
    for (const auto& s : n) names += (names.empty() ? "" : ";") + s;
  }
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  const std::string canonical = CanonicalRequest(r, all);
  const std::string to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(canonical);
  std::string k = Hmac("AWS4" + key.secret_access_key, date);
  k = Hmac(k, region);
  k = Hmac(k, service);
  k = Hmac(k, "aws4_request");
  const std::string signature = HexEncode(Hmac(k, to_sign));
  add.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + key.access_key_id + "/" + scope +
                                        ", SignedHeaders=" + names + ", Signature=" + signature);
  return add;
}

std::string AmzDateNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace ailake::sigv4
