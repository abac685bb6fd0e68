// S3 configuration: where an `s3://bucket/prefix` warehouse lives and how to reach it.
//
// Every setting is resolved once, when the store opens, in this order (first one set wins):
//   1. S3Options (explicit, from the caller)
//   2. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION then
//      AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3 then AWS_ENDPOINT_URL, AWS_PROFILE; timeouts and
//      retries from AWS_MAX_ATTEMPTS and AILAKE_S3_* (see S3Options)
//   3. the shared files of the profile (AWS_PROFILE or "default"):
//      credentials file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials, sections "[name]")
//      config file      (AWS_CONFIG_FILE, default ~/.aws/config, sections "[profile name]"/"[default]")
//      keys aws_access_key_id, aws_secret_access_key, aws_session_token, region, endpoint_url,
//      max_attempts
//   4. defaults: region us-east-1, endpoint https://s3.<region>.amazonaws.com
// Credentials are taken as a unit from the first source that has an access key id, so a key from the
// environment is never paired with a secret from a file.
//
// Addressing: path-style ("http://host:port/bucket/key") when S3Options::path_style says so, or
// when the endpoint host is an IP address or "localhost" (MinIO, moto, Ceph on a LAN: no wildcard DNS
// for bucket subdomains); virtual-hosted ("https://bucket.host/key") otherwise, as AWS requires for
// new buckets. Buckets with dots are path-style too (a dotted name breaks the TLS wildcard match).
//
// Secrets: the secret key and session token are kept here and used only for signing; Describe() and
// every message name the bucket, prefix, endpoint and region, never a key.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "ailake/status.h"

namespace ailake {

struct S3Options {
  // Explicit credentials/region/endpoint; empty means "look in the environment, then the files".
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string region;
  std::string endpoint;  // "http://127.0.0.1:9000", "https://s3.eu-west-1.amazonaws.com"
  std::string profile;   // empty: AWS_PROFILE, then "default"
  std::optional<bool> path_style;  // unset: decided from the endpoint (see above)

  // Timeouts and retries. kFromEnv (the default) takes the value from the environment, else the
  // default in brackets:
  //   connect_timeout_ms  AILAKE_S3_CONNECT_TIMEOUT_MS  [10000]
  //   request_timeout_ms  AILAKE_S3_REQUEST_TIMEOUT_MS  [300000]  one whole request, body included
  //   max_attempts        AWS_MAX_ATTEMPTS, then max_attempts in the profile's config file  [8]
  //   initial_backoff_ms  AILAKE_S3_INITIAL_BACKOFF_MS  [100]
  //   max_backoff_ms      AILAKE_S3_MAX_BACKOFF_MS      [20000]
  // Retries (5xx, SlowDown, connection errors, timeouts; never other 4xx): at most max_attempts
  // tries in all, sleeping a random time in [0, min(max_backoff, initial_backoff * 2^n)] between.
  static constexpr int kFromEnv = -1;
  int connect_timeout_ms = kFromEnv;
  int request_timeout_ms = kFromEnv;
  int max_attempts = kFromEnv;
  int initial_backoff_ms = kFromEnv;
  int max_backoff_ms = kFromEnv;

  // Writes up to multipart_threshold bytes are one PUT; larger ones a multipart upload of parts of
  // part_size bytes (S3 requires >= 5 MiB for every part but the last, and at most 10000 parts).
  uint64_t multipart_threshold = 16ull << 20;
  uint64_t part_size = 8ull << 20;
  // Readers fetch at least this many bytes per small read and serve nearby reads from that block.
  uint64_t read_ahead_bytes = 256ull << 10;
  // ListObjectsV2 page size (max-keys); S3 caps it at 1000.
  int list_page_size = 1000;
};

struct S3Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string source;  // "options", "environment", "<file> [profile]": for messages, never a secret
};

struct S3Config {
  std::string bucket;
  std::string prefix;  // no leading or trailing '/'; empty for the bucket root
  S3Credentials credentials;
  std::string region;
  std::string scheme;  // "http" or "https"
  std::string host;    // endpoint host, with ":port" when the URL named one
  bool path_style = false;
  S3Options options;   // timeouts, retries (resolved: never kFromEnv), sizes (credential fields cleared)

  // "s3://bucket/prefix (endpoint http://127.0.0.1:9000, region us-east-1)"
  std::string Describe() const;
  // Host header and URL host for requests: "host" or "bucket.host".
  std::string RequestHost() const { return path_style ? host : bucket + "." + host; }
};

// Splits "s3://bucket[/prefix]". The bucket must be a valid S3 bucket name (3-63 of a-z 0-9 . -);
// the prefix must be a valid store key prefix without empty, "." or ".." segments.
Status ParseS3Uri(const std::string& uri, std::string* bucket, std::string* prefix);

// Looks up an environment variable (tests pass a fake one); nullptr when unset.
using EnvLookup = std::function<const char*(const char*)>;

// Resolves `uri` + `options` + env + files as described above. kInvalidArgument for a bad URI or
// endpoint, kNotFound-free: missing credentials are kInvalidArgument naming every place looked at.
Result<S3Config> ResolveS3Config(const std::string& uri, const S3Options& options, const EnvLookup& env);
Result<S3Config> ResolveS3Config(const std::string& uri, const S3Options& options);

}  // namespace ailake
