// AWS Signature Version 4 (the request signing every S3-compatible server accepts).
//
// SignV4 computes, for one request, the headers that authorise it: x-amz-date, x-amz-content-sha256,
// x-amz-security-token (with a session token) and Authorization. The string to sign follows the
// published algorithm exactly:
//   canonical request = METHOD \n canonical-URI \n canonical-query \n canonical-headers \n
//                       signed-headers \n hex(sha256(payload))
//   string to sign    = "AWS4-HMAC-SHA256" \n amz-date \n date/region/service/aws4_request \n
//                       hex(sha256(canonical request))
//   signing key       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
// Hashes and HMACs come from OpenSSL's libcrypto (libcurl does not export its own).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ailake::sigv4 {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;         // "GET", "PUT", ...
  std::string canonical_uri;  // the path as sent, already URI-encoded (UriEncodePath)
  Headers query;              // raw (unencoded) query parameters, any order
  Headers headers;            // headers to sign, raw names (host must be among them)
  std::string payload_sha256; // hex; Sha256Hex of the body
};

struct Key {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: none
};

// Headers to add to the request: x-amz-date, x-amz-content-sha256, [x-amz-security-token],
// Authorization. `amz_date` is "YYYYMMDDTHHMMSSZ" (UTC).
Headers Sign(const Request& request, const Key& key, const std::string& region, const std::string& service,
             const std::string& amz_date);

// The canonical request and string to sign of the last step, for tests against published vectors.
std::string CanonicalRequest(const Request& request, const Headers& signed_headers);
std::string CanonicalQuery(const Headers& query);

std::string Sha256Hex(const void* data, size_t length);
inline std::string Sha256Hex(std::string_view s) { return Sha256Hex(s.data(), s.size()); }
// Raw 16-byte MD5 (ETag checks of multipart uploads).
std::string Md5(const void* data, size_t length);
std::string HexEncode(std::string_view bytes);

// RFC 3986 encoding as SigV4 wants it: unreserved A-Z a-z 0-9 - _ . ~ stay, everything else %XX.
std::string UriEncode(std::string_view s, bool encode_slash);
// "/" + each '/'-separated segment encoded.
inline std::string UriEncodePath(std::string_view path) { return "/" + UriEncode(path, false); }
// Inverse of percent encoding ('+' stays '+'); false on a malformed escape.
bool UriDecode(std::string_view s, std::string* out);

// "YYYYMMDDTHHMMSSZ" for the current UTC time.
std::string AmzDateNow();

}  // namespace ailake::sigv4
