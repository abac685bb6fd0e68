// Thrift compact-protocol I/O for the generated Parquet metadata structs.
//
// Bytes handed to Deserialize come straight from a file, so three limits are always set:
//   - string size (TCompactProtocolT constructor) caps every binary/string field;
//   - container size caps list lengths; we also clamp it to the buffer length, because every element
//     of every Thrift type takes at least one byte in the compact protocol, so a list longer than the
//     buffer is necessarily corrupt (and would otherwise make the generated code resize() a vector to
//     a size read from the file before noticing the data is missing);
//   - recursion depth (TConfiguration) bounds nested structs, including unknown fields that are
//     skipped.
// Every exception Thrift (or the allocator) can throw is turned into a kCorruption Status here.
#include "parquet/thrift_io.h"

#include <thrift/TConfiguration.h>
#include <thrift/Thrift.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/protocol/TProtocolException.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TTransportException.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <new>

#include "gen-cpp/parquet_types.h"

namespace ailake::parquet {

namespace {
using apache::thrift::TConfiguration;
using apache::thrift::protocol::TCompactProtocolT;
using apache::thrift::transport::TMemoryBuffer;
}  // namespace

template <typename T>
Status ThriftDeserialize(const uint8_t* data, size_t length, const ThriftLimits& limits, T* out, size_t* consumed,
                         const std::string& what) {
  // TMemoryBuffer addresses at most 4 GiB; metadata structs are far smaller, and page headers are
  // parsed from a window, so a longer buffer is just truncated to what Thrift can see.
  const uint32_t len = static_cast<uint32_t>(std::min<size_t>(length, INT_MAX));
  try {
    // Copy the header's constant: make_shared takes references, and the class constant has no
    // out-of-line definition in libthrift to bind to.
    const int max_frame = int{TConfiguration::DEFAULT_MAX_FRAME_SIZE};
    auto config = std::make_shared<TConfiguration>(static_cast<int>(std::max<uint32_t>(len, 1)), max_frame,
                                                   std::max<int32_t>(limits.max_depth, 1));
    // OBSERVE: the buffer is only read; the const_cast is required by TMemoryBuffer's signature.
    auto buffer = std::make_shared<TMemoryBuffer>(const_cast<uint8_t*>(data), len, TMemoryBuffer::OBSERVE, config);
    const int32_t string_limit = static_cast<int32_t>(std::min<uint64_t>(limits.max_string_bytes, INT_MAX));
    const int32_t container_limit =
        static_cast<int32_t>(std::max<uint64_t>(1, std::min<uint64_t>(limits.max_container_items, len)));
    TCompactProtocolT<TMemoryBuffer> proto(buffer, string_limit, container_limit);
    *out = T();
    out->read(&proto);
    if (consumed) *consumed = len - buffer->available_read();
    return Status::OK();
  } catch (const apache::thrift::protocol::TProtocolException& e) {
    return Status::Corruption(what + " is malformed Thrift (" + e.what() + ")");
  } catch (const apache::thrift::transport::TTransportException& e) {
    return Status::Corruption(what + " is truncated or malformed Thrift (" + e.what() + ")");
  } catch (const std::bad_alloc&) {
    return Status::Corruption(what + " is malformed Thrift (it claims more memory than can be allocated)");
  } catch (const std::exception& e) {
    return Status::Corruption(what + " is malformed Thrift (" + e.what() + ")");
  } catch (...) {
    return Status::Corruption(what + " is malformed Thrift");
  }
}

template <typename T>
Status ThriftSerialize(const T& value, std::vector<uint8_t>* out) {
  try {
    auto buffer = std::make_shared<TMemoryBuffer>();
    TCompactProtocolT<TMemoryBuffer> proto(buffer);
    value.write(&proto);
    uint8_t* bytes = nullptr;
    uint32_t size = 0;
    buffer->getBuffer(&bytes, &size);
    out->insert(out->end(), bytes, bytes + size);
    return Status::OK();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("Thrift serialisation failed: ") + e.what());
  } catch (...) {
    return Status::Internal("Thrift serialisation failed");
  }
}

#define AILAKE_THRIFT_INSTANTIATE(T)                                                                       \
  template Status ThriftDeserialize<format::T>(const uint8_t*, size_t, const ThriftLimits&, format::T*, size_t*, \
                                               const std::string&);                                        \
  template Status ThriftSerialize<format::T>(const format::T&, std::vector<uint8_t>*);

AILAKE_THRIFT_INSTANTIATE(FileMetaData)
AILAKE_THRIFT_INSTANTIATE(PageHeader)
AILAKE_THRIFT_INSTANTIATE(ColumnMetaData)
AILAKE_THRIFT_INSTANTIATE(ColumnChunk)
AILAKE_THRIFT_INSTANTIATE(RowGroup)
AILAKE_THRIFT_INSTANTIATE(SchemaElement)
AILAKE_THRIFT_INSTANTIATE(Statistics)
AILAKE_THRIFT_INSTANTIATE(KeyValue)
#undef AILAKE_THRIFT_INSTANTIATE

}  // namespace ailake::parquet
