// Secrets in embedder specs, and keeping them out of messages and persisted state.
//
// Where secrets live: the API key (AILAKE_EMBED_API_KEY / OPENAI_API_KEY, sent as
// "Authorization: Bearer KEY"), and a URL's userinfo ("https://user:pass@host", sent by curl as Basic
// auth) or credential query parameters ("?key=...", "&api_key=...", "&token=..."). A server may echo
// any of them back in an error body, raw, JSON-escaped ("\u002f" or "\/"), percent-encoded, or (the
// Basic auth header) base64-encoded; RedactSecrets replaces each of those forms.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ailake::embed {

// A URL safe to print: userinfo and every query parameter's value replaced by "***" (parameter
// names kept, so the user recognises the URL).
std::string RedactUrl(std::string_view url);

// An embedder spec (any kind, also a mistyped one) safe to print: every URL in it redacted as above.
std::string RedactedSpec(std::string_view spec);

// An embedder spec safe to persist (job records): userinfo removed and credential query parameters
// (key, api_key, api-key, apikey, token, access_token, secret, password, sig, signature, auth) given the
// value "***"; other query parameters (e.g. api-version) are kept, so the URL still names the same
// endpoint. `*removed` (when given) is set when anything was taken out: the caller must then ask the
// user for the full spec again (or an environment variable) before using it.
std::string PersistableSpec(std::string_view spec, bool* removed = nullptr);

// The secrets a URL carries: userinfo (whole, user, password) and credential query values, raw and
// percent-decoded.
std::vector<std::string> UrlSecrets(std::string_view url);

// `text` with every occurrence of every secret replaced by "<redacted>". A secret matches with each
// of its characters raw, percent-encoded (either hex case, '+' for a space) or JSON-escaped, in any
// mix (servers differ in what they escape), and as its base64 form. Secrets shorter than 4 bytes are
// skipped: replacing them everywhere would shred ordinary text.
std::string RedactSecrets(std::string text, const std::vector<std::string>& secrets);

}  // namespace ailake::embed
