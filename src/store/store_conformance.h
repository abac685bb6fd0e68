// Test support (tests only): the behaviour every Store promises (store.h), checked against any
// implementation. local_store_test runs it on a folder, s3_store_test on moto.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/store.h"

namespace ailake::test_util {

inline void CheckStoreConformance(Store& store) {
  SCOPED_TRACE(store.Describe());
  // Round trip, overwrite, empty objects.
  ASSERT_TRUE(store.Put("a/b/c.txt", std::string_view("hello")).ok());
  EXPECT_EQ(*store.GetString("a/b/c.txt"), "hello");
  EXPECT_EQ(*store.Size("a/b/c.txt"), 5u);
  EXPECT_TRUE(*store.Exists("a/b/c.txt"));
  EXPECT_FALSE(*store.Exists("a/b/none"));
  ASSERT_TRUE(store.Put("a/b/c.txt", std::string_view("bye")).ok());
  EXPECT_EQ(*store.GetString("a/b/c.txt"), "bye");
  ASSERT_TRUE(store.Put("empty", std::string_view("")).ok());
  ASSERT_TRUE(store.Get("empty").ok());
  EXPECT_EQ(store.Get("empty")->size(), 0u);
  EXPECT_EQ(*store.Size("empty"), 0u);

  // Missing keys are kNotFound naming the key.
  auto missing = store.Get("a/none");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("a/none"), std::string::npos) << missing.status().ToString();
  EXPECT_EQ(store.Size("q/r").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.GetRange("q/r", 0, 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.OpenReadable("q/r").status().code(), StatusCode::kNotFound);
  // Whole-object reads are capped.
  EXPECT_EQ(store.Get("a/b/c.txt", 2).status().code(), StatusCode::kResourceExhausted);

  // Keys that could escape or are reserved are refused before any I/O.
  for (const char* bad : {"", "/abs", "a//b", "../x", "a/./b", "a/", ".ailake-tmp-x"}) {
    EXPECT_EQ(store.Put(bad, std::string_view("x")).code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(store.Get(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }

  // Ranges.
  std::vector<uint8_t> data(10000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7 + 3);
  ASSERT_TRUE(store.Put("r/obj", data).ok());
  auto part = store.GetRange("r/obj", 100, 50);
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  EXPECT_EQ(*part, std::vector<uint8_t>(data.begin() + 100, data.begin() + 150));
  EXPECT_EQ(store.GetRange("r/obj", 9990, 10)->size(), 10u);
  EXPECT_EQ(store.GetRange("r/obj", 9995, 10).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(store.GetRange("r/obj", 20000, 1).status().code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(store.GetRange("r/obj", 10000, 0).ok());
  auto file = store.OpenReadable("r/obj");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(*(*file)->Size(), data.size());
  for (uint64_t off : {0ull, 1ull, 4999ull, 9000ull, 9992ull}) {
    auto bytes = (*file)->ReadRange(off, 8);
    ASSERT_TRUE(bytes.ok()) << off << ": " << bytes.status().ToString();
    EXPECT_EQ(*bytes, std::vector<uint8_t>(data.begin() + static_cast<long>(off), data.begin() + static_cast<long>(off) + 8))
        << off;
  }
  auto all = (*file)->ReadRange(0, data.size());
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, data);
  EXPECT_EQ((*file)->ReadRange(9999, 2).status().code(), StatusCode::kOutOfRange);

  // Listing: plain string prefixes, sorted, keys relative to the store, sizes and times.
  for (const char* k : {"m/metadata/v1.metadata.json", "m/metadata/v2.metadata.json", "m/metadata/version-hint.text",
                        "m/data/x.parquet", "m2/z"}) {
    ASSERT_TRUE(store.Put(k, std::string_view("12345")).ok());
  }
  auto v = store.List("m/metadata/v");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  std::vector<std::string> keys;
  for (const auto& o : *v) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"m/metadata/v1.metadata.json", "m/metadata/v2.metadata.json",
                                            "m/metadata/version-hint.text"}));
  for (const auto& o : *v) {
    EXPECT_EQ(o.size, 5u);
    EXPECT_GT(o.created_ms, 1600000000000) << o.key;
  }
  EXPECT_EQ(store.List("m/")->size(), 4u);
  EXPECT_EQ(store.List("m")->size(), 5u);
  EXPECT_TRUE(store.List("nothing/")->empty());
  EXPECT_EQ(store.List("../").status().code(), StatusCode::kInvalidArgument);
  auto everything = store.List("");
  ASSERT_TRUE(everything.ok());
  EXPECT_TRUE(std::is_sorted(everything->begin(), everything->end(),
                             [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; }));
  EXPECT_EQ(everything->size(), 8u);

  // Create-if-absent.
  ASSERT_TRUE(store.PutIfAbsent("once", std::string_view("first")).ok());
  EXPECT_EQ(store.PutIfAbsent("once", std::string_view("second")).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*store.GetString("once"), "first");

  // Streaming writes publish on Close only; kIfAbsent refuses an existing key.
  {
    auto w = store.OpenWritable("w/streamed");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(data).ok());
    EXPECT_FALSE(*store.Exists("w/streamed"));
    EXPECT_EQ((*w)->Tell(), data.size());
    ASSERT_TRUE((*w)->Close().ok());
    EXPECT_EQ(*store.Get("w/streamed"), data);
  }
  {
    auto w = store.OpenWritable("w/abandoned");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(data).ok());
  }
  EXPECT_FALSE(*store.Exists("w/abandoned"));
  {
    auto w = store.OpenWritable("once", PublishMode::kIfAbsent);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(data).ok());
    EXPECT_EQ((*w)->Close().code(), StatusCode::kAlreadyExists);
    EXPECT_EQ(*store.GetString("once"), "first");
  }

  // Delete is idempotent.
  ASSERT_TRUE(store.Delete("a/b/c.txt").ok());
  EXPECT_FALSE(*store.Exists("a/b/c.txt"));
  EXPECT_TRUE(store.Delete("a/b/c.txt").ok());
  EXPECT_TRUE(store.Delete("nope/nope").ok());
}

}  // namespace ailake::test_util
