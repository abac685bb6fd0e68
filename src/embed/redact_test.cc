// Secrets in embedder specs: what may be printed and what may be persisted.
#include "embed/redact.h"

#include <gtest/gtest.h>

#include "embed/embedder.h"

namespace ailake::embed {
namespace {

TEST(Redact, RedactedSpecHidesUrlSecretsInAnySpec) {
  EXPECT_EQ(RedactedSpec("http:https://u:p@h/v1?key=abc&api-version=2,model=m"),
            "http:https://***@h/v1?key=***&api-version=***,model=m");
  // A mistyped kind still has its URL redacted.
  EXPECT_EQ(RedactedSpec("htp:https://user:hunter22@h/x"), "htp:https://***@h/x");
  EXPECT_EQ(RedactedSpec("hash:dim=8"), "hash:dim=8");
}

// Guards RedactedSpec in MakeEmbedder: the old message printed Snippet(spec), 'hunter22' included.
TEST(Redact, MistypedSpecErrorShowsNoSecret) {
  auto r = MakeEmbedder("htp:https://user:hunter22@h/x?token=tok-12345");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("hunter22"), std::string::npos) << r.status().message();
  EXPECT_EQ(r.status().message().find("tok-12345"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("unknown embedder"), std::string::npos);
}

TEST(Redact, PersistableSpecDropsCredentialsKeepsTheEndpoint) {
  bool removed = false;
  EXPECT_EQ(PersistableSpec("http:https://u:p@h/d?api-version=2024&api_key=zz,model=m,dim=8", &removed),
            "http:https://h/d?api-version=2024&api_key=***,model=m,dim=8");
  EXPECT_TRUE(removed);
  EXPECT_EQ(PersistableSpec("http:http://127.0.0.1:8080,model=m", &removed), "http:http://127.0.0.1:8080,model=m");
  EXPECT_FALSE(removed);
  EXPECT_EQ(PersistableSpec("command:python3 w.py", &removed), "command:python3 w.py");
  EXPECT_FALSE(removed);
}

TEST(Redact, EveryEncodingOfASecretIsReplaced) {
  const std::string secret = "s3/cr+t \"x\"";
  std::string text = "a " + secret + " b s3\\/cr+t \\\"x\\\" c s3%2Fcr%2Bt%20%22x%22 d s3%2fcr%2bt%20%22x%22 e s3%2Fcr%2Bt+%22x%22 f " +
                     std::string("czMvY3IrdCAieCI=") + " g s3/cr%2Bt \\u0022x%22 h";
  std::string out = RedactSecrets(text, {secret});
  EXPECT_EQ(out, "a <redacted> b <redacted> c <redacted> d <redacted> e <redacted> f <redacted> g <redacted> h");
  // Short secrets are not applied to ordinary text.
  EXPECT_EQ(RedactSecrets("a b c", {"a"}), "a b c");
}

TEST(Redact, UrlSecretsFindUserinfoAndCredentialParams) {
  auto s = UrlSecrets("https://bob:pa%24s@h/x?api-version=1&Token=t%2B1");
  auto has = [&](const std::string& v) { return std::find(s.begin(), s.end(), v) != s.end(); };
  EXPECT_TRUE(has("bob:pa%24s"));
  EXPECT_TRUE(has("pa$s"));
  EXPECT_TRUE(has("t%2B1"));
  EXPECT_TRUE(has("t+1"));
  EXPECT_FALSE(has("1"));  // api-version is not a credential
}

}  // namespace
}  // namespace ailake::embed
