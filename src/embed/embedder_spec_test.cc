// Embedder specs: one model identity for every kind (model=NAME[@VERSION], dim=N), the command
// embedder's options-before-the-program form, and --model (EmbedderOptions) overriding the spec.
#include <gtest/gtest.h>

#include "embed/embed_internal.h"
#include "embed/embedder.h"

namespace ailake::embed {
namespace {

std::string Worker(const std::string& args) {
  return "/usr/bin/python3 " + std::string(AILAKE_SOURCE_DIR) + "/tests/embedders/fake_worker.py " + args;
}

std::string IdOf(const std::string& spec, EmbedderOptions o = {}) {
  auto e = MakeEmbedder(spec, o);
  EXPECT_TRUE(e.ok()) << spec << ": " << e.status().ToString();
  return e.ok() ? (*e)->model().Id() : "";
}

// Planted bug (F25): MakeHash appended "@seed<S>" to whatever name= held, so "rand-384@v1" became
// "rand-384@v1@seed0" and could never match a table created with --model rand-384@v1.
TEST(EmbedderSpec, HashModelIsParsedNotConcatenated) {
  EXPECT_EQ(IdOf("hash:dim=8,name=rand-384@v1"), "rand-384@v1");
  EXPECT_EQ(IdOf("hash:dim=8,model=rand-384@v1"), "rand-384@v1");
  EXPECT_EQ(IdOf("hash:dim=8,seed=3,model=mine"), "mine@seed3");  // an unversioned hash model: its seed
  EXPECT_EQ(IdOf("hash:dim=8"), "hash-8@seed0");
  auto e = MakeEmbedder("hash:dim=8,model=rand@v1");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->model().name, "rand");
  EXPECT_EQ((*e)->model().version, "v1");
}

// Planted bug (F1): the http embedder took model= as the whole name, so "big-embed@2" became the
// name "big-embed@2" with an empty version; its Id() printed the same string as the table's
// big-embed@2 while SameModel() said they differ.
TEST(EmbedderSpec, EveryKindParsesModelIntoNameAndVersion) {
  for (const std::string& spec : std::vector<std::string>{"hash:dim=8,model=big-embed@2", "http:http://127.0.0.1:9,model=big-embed@2",
                                 "command:model=big-embed@2:" + Worker("ok")}) {
    auto e = MakeEmbedder(spec);
    ASSERT_TRUE(e.ok()) << spec << ": " << e.status().ToString();
    EXPECT_EQ((*e)->model().name, "big-embed") << spec;
    EXPECT_EQ((*e)->model().version, "2") << spec;
    EmbeddingModelInfo table;
    table.name = "big-embed";
    table.version = "2";
    EXPECT_TRUE((*e)->model().SameModel(table)) << spec;
    auto named = SpecModel(spec);
    ASSERT_TRUE(named.ok() && named->has_value()) << spec;
    EXPECT_TRUE((*named)->SameModel(table)) << spec;
  }
  auto none = SpecModel("http:http://127.0.0.1:9");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST(EmbedderSpec, OverrideWinsWithItsVersion) {
  EmbedderOptions o;
  o.model_name = "table-model";
  o.model_version = "7";
  EXPECT_EQ(IdOf("hash:dim=8,model=x@1", o), "table-model@7");
  EXPECT_EQ(IdOf("http:http://127.0.0.1:9,model=server-name", o), "table-model@7");
  EXPECT_EQ(IdOf("command:" + Worker("ok"), o), "table-model@7");
  o.model_version.clear();  // an unversioned override stays unversioned
  EXPECT_EQ(IdOf("command:model=x@1:" + Worker("ok"), o), "table-model");
}

TEST(EmbedderSpec, CommandOptionsBeforeTheProgram) {
  // Options, then ':' and the argv; dim= is known without a probe and binds the replies.
  auto e = MakeEmbedder("command:model=w@1,dim=6:" + Worker("ok dim=6"));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ((*e)->model().Id(), "w@1");
  EXPECT_EQ((*e)->model().dim, 6u);
  auto d = (*e)->Dimension();
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, 6u);
  EXPECT_EQ((*e)->stats().requests, 0u);  // no probe: the spec said it
  std::vector<float> out;
  ASSERT_TRUE((*e)->Embed({"abc"}, &out).ok());
  EXPECT_EQ(out.size(), 6u);
  EXPECT_EQ(out[0], 3.0f);  // the worker really ran with its own arguments: v[0] = UTF-8 length

  // A space after the ':' is fine; a dim= the worker does not return fails the batch.
  auto wrong = MakeEmbedder("command:dim=5: " + Worker("ok dim=6"));
  ASSERT_TRUE(wrong.ok()) << wrong.status().ToString();
  EXPECT_EQ((*wrong)->model().name, "python3");  // no model=: the program's basename, as before
  auto st = (*wrong)->Embed({"abc"}, &out);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("dim 6 but the model's dim is 5"), std::string::npos) << st.message();

  // The old form keeps working; an '=' in a later word is an argument, not an option.
  auto old = MakeEmbedder("command:" + Worker("ok dim=4"));
  ASSERT_TRUE(old.ok());
  EXPECT_EQ((*old)->model().Id(), "python3");
  EXPECT_EQ((*old)->model().dim, 0u);
}

TEST(EmbedderSpec, BadOptionsAreNamed) {
  struct Case {
    std::string spec, phrase;
  };
  for (const Case& c : std::vector<Case>{
           {"command:color=red:python3", "unknown command embedder option 'color'"},
           {"command:model=a@1,model=b:python3", "names its model twice"},
           {"command:model=a@:python3", "NAME or NAME@VERSION"},
           {"command:dim=0:python3", "dim= must be >= 1"},
           {"command:model=a:", "needs a program"},
           {"hash:dim=8,name=a,model=b", "names its model twice"},
           {"hash:dim=8,model=@1", "NAME or NAME@VERSION"},
           {"http:http://127.0.0.1:9,model=a@", "NAME or NAME@VERSION"},
           {"http:http://127.0.0.1:9,dim=x", "dim=x"},
       }) {
    auto e = MakeEmbedder(c.spec);
    ASSERT_FALSE(e.ok()) << c.spec;
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument) << c.spec;
    EXPECT_NE(e.status().message().find(c.phrase), std::string::npos) << c.spec << ": " << e.status().message();
  }
}

}  // namespace
}  // namespace ailake::embed
