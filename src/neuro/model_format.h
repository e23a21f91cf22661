// The byte format shared by every serialised model (for files, and later for
// the catalog). All integers little-endian through common/coding.h.
//
//   offset  size  field
//   0       4     magic "NQNM"
//   4       1     ModelKind (persisted: do not change values)
//   5       1     format version of that kind's body (see the model's header)
//   6       n     body: a sequence of the items written by ModelWriter
//   6+n     4     Checksum32 of bytes [0, 6+n), seed kModelChecksumSeed
//
// Body items: varint (LEB128) for sizes, enums and counts; 8-byte IEEE-754
// doubles (fixed64 of the bit pattern); length-prefixed strings; matrices as
// varint rows, varint cols, then rows*cols doubles in column-major order.
//
// Thread safety: writer and reader objects are used by one thread at a time.
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Dense>

#include "common/coding.h"
#include "neuroquantum/result.h"

namespace neuroquantum::neuro {

// Persisted: do not change values.
enum class ModelKind : uint8_t { kMlp = 1, kSpiking = 2 };

inline constexpr char kModelMagic[4] = {'N', 'Q', 'N', 'M'};
inline constexpr uint64_t kModelChecksumSeed = 0x6e716e6d;
inline constexpr size_t kModelHeaderSize = 6;

class ModelWriter {
 public:
  ModelWriter(ModelKind kind, uint8_t version);
  void Varint(uint64_t v) { PutVarint64(&out_, v); }
  void Double(double v) { PutFixed64(&out_, std::bit_cast<uint64_t>(v)); }
  void String(std::string_view s) { PutLengthPrefixed(&out_, s); }
  void Strings(const std::vector<std::string>& v);
  void Matrix(const Eigen::MatrixXd& m);
  void Vector(const Eigen::VectorXd& v) { Matrix(v); }
  void RowVector(const Eigen::RowVectorXd& v) { Matrix(v); }
  // Appends the checksum and returns the bytes.
  std::string Finish();

 private:
  std::string out_;
};

class ModelReader {
 public:
  // Checks magic, kind, checksum. Corruption on damage, NotSupported for a
  // version newer than `max_version`, InvalidArgument for another kind.
  static Result<ModelReader> Open(std::string_view bytes, ModelKind kind, uint8_t max_version);
  uint8_t version() const { return version_; }
  // Each returns Corruption("truncated or malformed model: <what>") on bad input.
  Status Varint(uint64_t* v, const char* what, uint64_t max = UINT64_MAX);
  Status Double(double* v, const char* what);
  Status String(std::string* s, const char* what);
  Status Strings(std::vector<std::string>* v, const char* what);
  Status Matrix(Eigen::MatrixXd* m, const char* what);
  Status Vector(Eigen::VectorXd* v, const char* what);
  Status RowVector(Eigen::RowVectorXd* v, const char* what);
  // Corruption unless every body byte was consumed.
  Status Done() const;

 private:
  ModelReader(std::string_view body, uint8_t version) : reader_(body), version_(version) {}
  ByteReader reader_;
  uint8_t version_;
};

// The kind of a serialised model, from its header (Corruption if it has none).
Result<ModelKind> PeekModelKind(std::string_view bytes);

}  // namespace neuroquantum::neuro
