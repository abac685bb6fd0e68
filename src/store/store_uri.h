// OpenStore: a Store from a warehouse URI.
//   "/path", "relative/path", "file:///path"  -> LocalStore (folder created if missing)
//   "s3://bucket[/prefix]"                     -> S3Store (configuration: store/s3_config.h)
// Any other scheme ("gs://", "http://") is kInvalidArgument naming the supported ones.
#pragma once

#include <memory>
#include <string>

#include "ailake/status.h"
#include "store/s3_config.h"
#include "store/store.h"

namespace ailake {

// True for "s3://..." (the URI names a remote store, not a folder).
bool IsS3Uri(const std::string& uri);

Result<std::unique_ptr<Store>> OpenStore(const std::string& uri);
// Same, with explicit S3 options for s3:// URIs (ignored for local ones).
Result<std::unique_ptr<Store>> OpenStore(const std::string& uri, const S3Options& s3_options);

}  // namespace ailake
