#include "store/s3_config.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstdlib>
#include <map>

#include "core/io.h"
#include "store/store.h"

namespace ailake {

namespace {

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One section of an AWS shared config/credentials file ("key = value" lines). Indented lines belong
// to nested blocks ("s3 =\n  addressing_style = path") and are skipped; so are comments. A missing
// or unreadable file is an empty section (the files are optional). Files above 1 MiB are refused:
// a credentials file is a few lines.
Result<std::map<std::string, std::string>> ReadIniSection(const std::string& path, const std::string& section) {
  std::map<std::string, std::string> out;
  auto bytes = ReadFileToBytes(path, 1 << 20);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kResourceExhausted) {
      return Status::InvalidArgument("AWS shared file " + path + " is larger than 1 MiB; it is not a config file");
    }
    return out;
  }
  std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  bool in = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view raw = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!raw.empty() && (raw[0] == ' ' || raw[0] == '\t')) continue;  // nested block
    std::string line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      in = Trim(std::string_view(line).substr(1, line.size() - 2)) == section;
      continue;
    }
    if (!in) continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    out[Lower(Trim(std::string_view(line).substr(0, eq)))] = Trim(std::string_view(line).substr(eq + 1));
  }
  return out;
}

bool ValidBucket(const std::string& b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (char c : b) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' ||
          c == '-')) {
      return false;
    }
  }
  return std::isalnum(static_cast<unsigned char>(b.front())) && std::isalnum(static_cast<unsigned char>(b.back()));
}

bool IsIpOrLocalhost(const std::string& host_port) {
  std::string host = host_port;
  if (!host.empty() && host[0] == '[') return true;  // "[::1]:9000"
  auto colon = host.rfind(':');
  if (colon != std::string::npos) host = host.substr(0, colon);
  if (host == "localhost") return true;
  in_addr a4;
  return inet_pton(AF_INET, host.c_str(), &a4) == 1;
}

}  // namespace

Status ParseS3Uri(const std::string& uri, std::string* bucket, std::string* prefix) {
  constexpr std::string_view kScheme = "s3://";
  if (uri.compare(0, kScheme.size(), kScheme) != 0) {
    return Status::InvalidArgument("'" + uri + "' is not an s3:// URI (expected s3://bucket[/prefix])");
  }
  std::string rest = uri.substr(kScheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto slash = rest.find('/');
  *bucket = rest.substr(0, slash);
  *prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (!ValidBucket(*bucket)) {
    return Status::InvalidArgument("'" + uri + "': bucket name '" + *bucket +
                                   "' is not a valid S3 bucket name (3 to 63 characters of a-z, 0-9, '.' and '-')");
  }
  if (!prefix->empty()) {
    Status st = ValidateKey(*prefix);
    if (!st.ok()) return Status::InvalidArgument("'" + uri + "': the prefix is not usable: " + st.message());
  }
  return Status::OK();
}

std::string S3Config::Describe() const {
  return "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix) + " (endpoint " + scheme + "://" + host +
         ", region " + region + ")";
}

Result<S3Config> ResolveS3Config(const std::string& uri, const S3Options& options, const EnvLookup& env) {
  S3Config cfg;
  AILAKE_RETURN_IF_ERROR(ParseS3Uri(uri, &cfg.bucket, &cfg.prefix));
  auto getenv_s = [&](const char* name) -> std::string {
    const char* v = env(name);
    return v ? std::string(v) : std::string();
  };

  std::string profile = options.profile;
  if (profile.empty()) profile = getenv_s("AWS_PROFILE");
  if (profile.empty()) profile = "default";
  std::string home = getenv_s("HOME");
  std::string cred_file = getenv_s("AWS_SHARED_CREDENTIALS_FILE");
  if (cred_file.empty() && !home.empty()) cred_file = home + "/.aws/credentials";
  std::string config_file = getenv_s("AWS_CONFIG_FILE");
  if (config_file.empty() && !home.empty()) config_file = home + "/.aws/config";
  std::map<std::string, std::string> cred_sec, config_sec;
  if (!cred_file.empty()) {
    AILAKE_ASSIGN_OR_RETURN(cred_sec, ReadIniSection(cred_file, profile));
  }
  if (!config_file.empty()) {
    AILAKE_ASSIGN_OR_RETURN(config_sec,
                            ReadIniSection(config_file, profile == "default" ? "default" : "profile " + profile));
  }

  // Credentials: as a unit, from the first source that names an access key id.
  if (!options.access_key_id.empty()) {
    cfg.credentials = {options.access_key_id, options.secret_access_key, options.session_token, "options"};
  } else if (!getenv_s("AWS_ACCESS_KEY_ID").empty()) {
    cfg.credentials = {getenv_s("AWS_ACCESS_KEY_ID"), getenv_s("AWS_SECRET_ACCESS_KEY"),
                       getenv_s("AWS_SESSION_TOKEN"), "environment (AWS_ACCESS_KEY_ID)"};
  } else if (cred_sec.count("aws_access_key_id")) {
    cfg.credentials = {cred_sec["aws_access_key_id"], cred_sec["aws_secret_access_key"],
                       cred_sec["aws_session_token"], cred_file + " [" + profile + "]"};
  } else if (config_sec.count("aws_access_key_id")) {
    cfg.credentials = {config_sec["aws_access_key_id"], config_sec["aws_secret_access_key"],
                       config_sec["aws_session_token"], config_file + " [" + profile + "]"};
  } else {
    return Status::InvalidArgument(
        "no S3 credentials for " + uri + ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add "
        "aws_access_key_id/aws_secret_access_key to profile '" + profile + "' in " +
        (cred_file.empty() ? std::string("~/.aws/credentials") : cred_file) +
        " (AWS_SHARED_CREDENTIALS_FILE) or " + (config_file.empty() ? std::string("~/.aws/config") : config_file));
  }
  if (cfg.credentials.secret_access_key.empty()) {
    return Status::InvalidArgument("S3 credentials for " + uri + " from " + cfg.credentials.source +
                                   " have an access key id but no secret access key");
  }

  cfg.region = options.region;
  if (cfg.region.empty()) cfg.region = getenv_s("AWS_REGION");
  if (cfg.region.empty()) cfg.region = getenv_s("AWS_DEFAULT_REGION");
  if (cfg.region.empty()) cfg.region = config_sec["region"];
  if (cfg.region.empty()) cfg.region = "us-east-1";
  for (char c : cfg.region) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
      return Status::InvalidArgument("S3 region '" + cfg.region + "' may use only letters, digits and '-'");
    }
  }

  std::string endpoint = options.endpoint;
  if (endpoint.empty()) endpoint = getenv_s("AWS_ENDPOINT_URL_S3");
  if (endpoint.empty()) endpoint = getenv_s("AWS_ENDPOINT_URL");
  if (endpoint.empty()) endpoint = config_sec["endpoint_url"];
  if (endpoint.empty()) endpoint = "https://s3." + cfg.region + ".amazonaws.com";
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  auto sep = endpoint.find("://");
  if (sep == std::string::npos) {
    return Status::InvalidArgument("S3 endpoint '" + endpoint + "' has no scheme; write http://host:port or https://host");
  }
  cfg.scheme = Lower(endpoint.substr(0, sep));
  cfg.host = endpoint.substr(sep + 3);
  if ((cfg.scheme != "http" && cfg.scheme != "https") || cfg.host.empty() ||
      cfg.host.find_first_of("/?#@ \t\r\n") != std::string::npos) {
    return Status::InvalidArgument("S3 endpoint '" + endpoint +
                                   "' must be http://host[:port] or https://host[:port] without a path");
  }
  cfg.path_style = options.path_style.has_value() ? *options.path_style
                                                  : (IsIpOrLocalhost(cfg.host) || cfg.bucket.find('.') != std::string::npos);

  cfg.options = options;
  cfg.options.access_key_id.clear();
  cfg.options.secret_access_key.clear();
  cfg.options.session_token.clear();
  auto& o = cfg.options;
  // Timeouts and retries: explicit option, then environment (then the config file for
  // max_attempts), then the default. A value that is set but unusable is an error, never ignored.
  struct Knob {
    int* value;
    const char* env;
    int fallback;
    int min, max;
  };
  const Knob knobs[] = {
      {&o.connect_timeout_ms, "AILAKE_S3_CONNECT_TIMEOUT_MS", 10000, 1, 3600000},
      {&o.request_timeout_ms, "AILAKE_S3_REQUEST_TIMEOUT_MS", 300000, 1, 86400000},
      {&o.max_attempts, "AWS_MAX_ATTEMPTS", 8, 1, 100},
      {&o.initial_backoff_ms, "AILAKE_S3_INITIAL_BACKOFF_MS", 100, 0, 3600000},
      {&o.max_backoff_ms, "AILAKE_S3_MAX_BACKOFF_MS", 20000, 0, 3600000},
  };
  for (const Knob& k : knobs) {
    if (*k.value != S3Options::kFromEnv) continue;
    std::string text = getenv_s(k.env), source = k.env;
    if (text.empty() && k.value == &o.max_attempts && config_sec.count("max_attempts")) {
      text = Trim(config_sec["max_attempts"]);
      source = "max_attempts in " + config_file + " [" + profile + "]";
    }
    if (text.empty()) {
      *k.value = k.fallback;
      continue;
    }
    int v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < k.min || v > k.max) {
      return Status::InvalidArgument(source + "='" + text.substr(0, 32) + "' must be a whole number from " +
                                     std::to_string(k.min) + " to " + std::to_string(k.max) +
                                     ": fix or unset it");
    }
    *k.value = v;
  }
  if (o.connect_timeout_ms < 1) o.connect_timeout_ms = 1;
  if (o.request_timeout_ms < 1) o.request_timeout_ms = 1;
  if (o.max_attempts < 1) o.max_attempts = 1;
  if (o.initial_backoff_ms < 0) o.initial_backoff_ms = 0;
  if (o.max_backoff_ms < o.initial_backoff_ms) o.max_backoff_ms = o.initial_backoff_ms;
  if (o.list_page_size < 1 || o.list_page_size > 1000) o.list_page_size = 1000;
  if (o.part_size < (5ull << 20)) {
    return Status::InvalidArgument("S3 part_size must be at least 5 MiB (an S3 rule for every part but the last)");
  }
  if (o.part_size > (5ull << 30)) return Status::InvalidArgument("S3 part_size must be at most 5 GiB");
  if (o.multipart_threshold > (5ull << 30)) {
    return Status::InvalidArgument("S3 multipart_threshold must be at most 5 GiB (the largest single PUT)");
  }
  return cfg;
}

Result<S3Config> ResolveS3Config(const std::string& uri, const S3Options& options) {
  return ResolveS3Config(uri, options, [](const char* name) -> const char* { return std::getenv(name); });
}

}  // namespace ailake
