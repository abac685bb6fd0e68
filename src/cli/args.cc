#include "cli/args.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace ailake::cli {

std::string ParsedArgs::get(const std::string& flag) const {
  auto it = values_.find(flag);
  if (it != values_.end()) return it->second;
  auto d = defaults_.find(flag);
  return d == defaults_.end() ? std::string() : d->second;
}

Result<long long> ParsedArgs::GetInt(const std::string& flag, long long min, long long max) const {
  std::string v = get(flag);
  long long out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) {
    return Status::InvalidArgument("--" + flag + " expects an integer, got '" + v + "'");
  }
  if (out < min || out > max) {
    return Status::InvalidArgument("--" + flag + " must be between " + std::to_string(min) + " and " +
                                   std::to_string(max) + ", got " + v);
  }
  return out;
}

Result<double> ParsedArgs::GetDouble(const std::string& flag, double min, double max) const {
  std::string v = get(flag);
  double out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || !std::isfinite(out)) {
    return Status::InvalidArgument("--" + flag + " expects a number, got '" + v + "'");
  }
  if (out < min || out > max) {
    char range[64];
    std::snprintf(range, sizeof range, "%g and %g", min, max);
    return Status::InvalidArgument("--" + flag + " must be between " + range + ", got " + v);
  }
  return out;
}

bool HelpRequested(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") return true;
  return false;
}

Result<ParsedArgs> Parse(const CommandSpec& spec, const std::vector<std::string>& args) {
  ParsedArgs out;
  for (const auto& f : spec.flags)
    if (!f.value_name.empty() && !f.default_value.empty()) out.defaults_[f.name] = f.default_value;
  auto find = [&](const std::string& token) -> const FlagSpec* {
    for (const auto& f : spec.flags) {
      if (token == "--" + f.name) return &f;
      if (!f.short_name.empty() && token == "-" + f.short_name) return &f;
    }
    return nullptr;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() > 1 && a[0] == '-' && !(a.size() > 1 && (std::isdigit(static_cast<unsigned char>(a[1])) || a[1] == '.'))) {
      std::string token = a, inline_value;
      bool has_inline = false;
      auto eq = a.find('=');
      if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
        token = a.substr(0, eq);
        inline_value = a.substr(eq + 1);
        has_inline = true;
      }
      const FlagSpec* f = find(token);
      if (!f) {
        return Status::InvalidArgument("unknown option '" + token + "' for 'ailake " + spec.name +
                                       "' (see 'ailake " + spec.name + " --help')");
      }
      if (f->value_name.empty()) {
        if (has_inline) return Status::InvalidArgument("option --" + f->name + " takes no value");
        out.values_[f->name] = "true";
        continue;
      }
      if (has_inline) {
        out.values_[f->name] = inline_value;
      } else {
        if (i + 1 >= args.size()) {
          return Status::InvalidArgument("option --" + f->name + " needs a value (" + f->value_name + ")");
        }
        out.values_[f->name] = args[++i];
      }
      continue;
    }
    out.positionals_.push_back(a);
  }
  if (out.positionals_.size() < spec.positionals.size()) {
    return Status::InvalidArgument("'ailake " + spec.name + "' needs " + spec.positionals[out.positionals_.size()] +
                                   " (usage: " + HelpText(spec).substr(0, HelpText(spec).find('\n')) + ")");
  }
  const size_t most = spec.positionals.size() + spec.optional_positionals.size();
  if (out.positionals_.size() > most) {
    return Status::InvalidArgument("unexpected argument '" + out.positionals_[most] +
                                   "' for 'ailake " + spec.name + "'");
  }
  return out;
}

std::string HelpText(const CommandSpec& spec) {
  std::ostringstream os;
  os << "usage: ailake " << spec.name;
  for (const auto& p : spec.positionals) os << " " << p;
  for (const auto& p : spec.optional_positionals) os << " [" << p << "]";
  if (!spec.flags.empty()) os << " [options]";
  os << "\n\n" << spec.summary << "\n";
  if (!spec.flags.empty()) {
    os << "\noptions:\n";
    for (const auto& f : spec.flags) {
      std::string left = "  ";
      if (!f.short_name.empty()) left += "-" + f.short_name + ", ";
      left += "--" + f.name;
      if (!f.value_name.empty()) left += " " + f.value_name;
      os << left;
      if (left.size() < 28) os << std::string(28 - left.size(), ' ');
      else os << "\n" << std::string(28, ' ');
      os << f.help;
      if (!f.default_value.empty()) os << " (default: " << f.default_value << ")";
      os << "\n";
    }
  }
  if (!spec.details.empty()) os << "\n" << spec.details << "\n";
  return os.str();
}

}  // namespace ailake::cli
