#include "migrate/embedder_spec.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "embed/http_embedder.h"

namespace ailake::migrate {

namespace {

bool LooksSecretKey(std::string_view word) {
  const auto eq = word.find('=');
  if (eq == std::string_view::npos) return false;
  std::string key(word.substr(0, eq));
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* s : {"key", "token", "secret", "password", "passwd", "auth"}) {
    if (key.find(s) != std::string::npos) return true;
  }
  return false;
}

// One word of a command line or one option of a spec.
std::string RedactWord(const std::string& word) {
  if (word.find("://") != std::string::npos) return embed::RedactUrl(word);
  if (LooksSecretKey(word)) return word.substr(0, word.find('=') + 1) + "***";
  return word;
}

}  // namespace

std::string RedactEmbedderSpec(const std::string& spec) {
  if (spec.rfind("hash:", 0) == 0) return spec;
  std::string head, body = spec;
  if (spec.rfind("command:", 0) == 0) {
    // Words are separated by single spaces (embed/command_embedder.h splits on whitespace).
    std::string out = "command:";
    body = spec.substr(8);
    size_t i = 0;
    bool first = true;
    while (i <= body.size()) {
      size_t sp = body.find(' ', i);
      if (sp == std::string::npos) sp = body.size();
      if (!first) out += ' ';
      out += RedactWord(body.substr(i, sp - i));
      first = false;
      i = sp + 1;
    }
    return out;
  }
  if (spec.rfind("http:", 0) == 0 && spec.rfind("http://", 0) != 0) {
    head = "http:";
    body = spec.substr(5);
  }
  // URL[,opt=value...]: the URL and every option through the same rules.
  std::string out = head;
  size_t i = 0;
  bool first = true;
  while (i <= body.size()) {
    size_t comma = body.find(',', i);
    if (comma == std::string::npos) comma = body.size();
    if (!first) out += ',';
    out += RedactWord(body.substr(i, comma - i));
    first = false;
    i = comma + 1;
  }
  return out;
}

bool SpecRunsNothing(const std::string& persisted_spec) { return persisted_spec.rfind("hash:", 0) == 0; }

Status CheckEmbedderSpec(const std::string& given, const std::string& persisted, const std::string& job_id) {
  const std::string redacted = RedactEmbedderSpec(given);
  if (redacted == persisted) return Status::OK();
  return Status::InvalidArgument("embedder '" + redacted + "' is not the one migration job " + job_id +
                                 " was planned with ('" + persisted +
                                 "'); give that one with --embedder SPEC (secrets may differ), or abort the job and "
                                 "plan a new one");
}

}  // namespace ailake::migrate
