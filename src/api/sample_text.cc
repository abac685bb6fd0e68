#include "api/sample_text.h"

#include <cstdio>

namespace ailake::api {

namespace {

struct Topic {
  const char* name;
  const char* words[12];
};

constexpr Topic kTopics[] = {
    {"astronomy", {"galaxy", "telescope", "orbit", "nebula", "comet", "planet", "stellar", "redshift", "eclipse", "quasar", "asteroid", "cosmic"}},
    {"cooking", {"recipe", "simmer", "garlic", "oven", "flour", "butter", "roast", "saute", "spice", "dough", "broth", "whisk"}},
    {"databases", {"index", "query", "transaction", "schema", "snapshot", "commit", "parquet", "column", "partition", "replica", "vacuum", "join"}},
    {"medicine", {"patient", "dosage", "symptom", "clinical", "vaccine", "therapy", "diagnosis", "chronic", "antibody", "cardiac", "surgery", "trial"}},
    {"finance", {"equity", "bond", "interest", "dividend", "portfolio", "hedge", "liquidity", "inflation", "ledger", "audit", "margin", "yield"}},
    {"gardening", {"compost", "seedling", "prune", "mulch", "perennial", "soil", "bloom", "irrigation", "greenhouse", "tomato", "weeds", "harvest"}},
    {"music", {"chord", "melody", "tempo", "rhythm", "orchestra", "guitar", "harmony", "concerto", "octave", "lyrics", "drummer", "album"}},
    {"sailing", {"mast", "harbor", "tide", "keel", "anchor", "starboard", "regatta", "compass", "current", "hull", "knots", "wind"}},
    {"networking", {"packet", "router", "latency", "protocol", "bandwidth", "socket", "firewall", "handshake", "subnet", "switch", "loopback", "tcp"}},
    {"history", {"empire", "dynasty", "treaty", "revolution", "medieval", "archive", "monarch", "colonial", "siege", "parliament", "ancient", "chronicle"}},
    {"chemistry", {"molecule", "catalyst", "reaction", "solvent", "isotope", "polymer", "oxidation", "titration", "enzyme", "covalent", "acid", "crystal"}},
    {"football", {"goal", "striker", "referee", "penalty", "midfield", "league", "tackle", "offside", "keeper", "stadium", "transfer", "season"}},
};
constexpr const char* kCommon[] = {"the", "a", "of", "and", "to", "in", "is", "for", "on", "with", "that", "by",
                                   "this", "from", "as", "new", "report", "notes", "about", "during", "after", "which"};

uint64_t SplitMix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

SampleChunk MakeSampleChunk(uint64_t seed, uint64_t i, size_t target_bytes) {
  uint64_t s = seed * 0x2545F4914F6CDD1Dull + i * 0x9E3779B97F4A7C15ull + 1;
  constexpr size_t kTopicCount = sizeof(kTopics) / sizeof(kTopics[0]);
  constexpr size_t kCommonCount = sizeof(kCommon) / sizeof(kCommon[0]);
  const Topic& t = kTopics[SplitMix(s) % kTopicCount];
  const Topic& other = kTopics[SplitMix(s) % kTopicCount];  // a little cross-topic noise
  SampleChunk c;
  char buf[32];
  std::snprintf(buf, sizeof buf, "doc-%05llu", static_cast<unsigned long long>(i / 8));
  c.doc_id = buf;
  c.topic = t.name;
  c.text.reserve(target_bytes + 16);
  bool start = true;
  while (c.text.size() < target_bytes) {
    uint64_t r = SplitMix(s);
    const char* w = (r % 10) < 5 ? t.words[(r >> 8) % 12] : (r % 10) < 6 ? other.words[(r >> 8) % 12] : kCommon[(r >> 8) % kCommonCount];
    std::string word = w;
    if (start) word[0] = static_cast<char>(word[0] - 32 * (word[0] >= 'a' && word[0] <= 'z'));
    c.text += word;
    start = (r >> 20) % 11 == 0;
    c.text += start ? ". " : " ";
  }
  while (!c.text.empty() && c.text.back() == ' ') c.text.pop_back();
  if (!c.text.empty() && c.text.back() != '.') c.text += ".";
  return c;
}

}  // namespace ailake::api
