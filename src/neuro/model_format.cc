// ModelWriter / ModelReader: the shared envelope of serialised models.
#include "neuro/model_format.h"

#include <cstring>
#include <fmt/format.h>

#include "common/checksum.h"

namespace neuroquantum::neuro {
namespace {

Status Malformed(const char* what) {
  return Status::Corruption(fmt::format("truncated or malformed model: {}", what));
}

}  // namespace

ModelWriter::ModelWriter(ModelKind kind, uint8_t version) {
  out_.append(kModelMagic, 4);
  out_.push_back(static_cast<char>(kind));
  out_.push_back(static_cast<char>(version));
}

void ModelWriter::Strings(const std::vector<std::string>& v) {
  Varint(v.size());
  for (const auto& s : v) String(s);
}

void ModelWriter::Matrix(const Eigen::MatrixXd& m) {
  Varint(static_cast<uint64_t>(m.rows()));
  Varint(static_cast<uint64_t>(m.cols()));
  for (Eigen::Index i = 0; i < m.size(); ++i) Double(m.data()[i]);
}

std::string ModelWriter::Finish() {
  PutFixed32(&out_, Checksum32(out_.data(), out_.size(), kModelChecksumSeed));
  return std::move(out_);
}

Result<ModelKind> PeekModelKind(std::string_view bytes) {
  if (bytes.size() < kModelHeaderSize + 4 || std::memcmp(bytes.data(), kModelMagic, 4) != 0) {
    return Status::Corruption("not a model: bad magic or too short");
  }
  auto kind = static_cast<ModelKind>(bytes[4]);
  if (kind != ModelKind::kMlp && kind != ModelKind::kSpiking) {
    return Status::NotSupported(fmt::format("unknown model kind {}", static_cast<int>(bytes[4])));
  }
  return kind;
}

Result<ModelReader> ModelReader::Open(std::string_view bytes, ModelKind kind, uint8_t max_version) {
  NQ_ASSIGN_OR_RETURN(ModelKind actual, PeekModelKind(bytes));
  size_t body_end = bytes.size() - 4;
  uint32_t stored = DecodeFixed32(reinterpret_cast<const uint8_t*>(bytes.data()) + body_end);
  if (stored != Checksum32(bytes.data(), body_end, kModelChecksumSeed)) {
    return Status::Corruption("model checksum mismatch");
  }
  if (actual != kind) return Status::InvalidArgument("model is of another kind");
  auto version = static_cast<uint8_t>(bytes[5]);
  if (version == 0 || version > max_version) {
    return Status::NotSupported(fmt::format("model format version {} (this build reads up to {})",
                                            version, max_version));
  }
  return ModelReader(bytes.substr(kModelHeaderSize, body_end - kModelHeaderSize), version);
}

Status ModelReader::Varint(uint64_t* v, const char* what, uint64_t max) {
  if (!reader_.GetVarint64(v) || *v > max) return Malformed(what);
  return Status::OK();
}

Status ModelReader::Double(double* v, const char* what) {
  uint64_t bits = 0;
  if (!reader_.GetFixed64(&bits)) return Malformed(what);
  *v = std::bit_cast<double>(bits);
  return Status::OK();
}

Status ModelReader::String(std::string* s, const char* what) {
  std::string_view view;
  if (!reader_.GetLengthPrefixed(&view)) return Malformed(what);
  s->assign(view);
  return Status::OK();
}

Status ModelReader::Strings(std::vector<std::string>* v, const char* what) {
  uint64_t count = 0;
  // Every string takes at least one byte: bounds the allocation.
  NQ_RETURN_IF_ERROR(Varint(&count, what, reader_.remaining()));
  v->resize(count);
  for (auto& s : *v) NQ_RETURN_IF_ERROR(String(&s, what));
  return Status::OK();
}

Status ModelReader::Matrix(Eigen::MatrixXd* m, const char* what) {
  uint64_t rows = 0, cols = 0;
  NQ_RETURN_IF_ERROR(Varint(&rows, what, 1u << 24));
  NQ_RETURN_IF_ERROR(Varint(&cols, what, 1u << 24));
  // Checked before allocating so a damaged size cannot ask for gigabytes.
  if (rows * cols > reader_.remaining() / 8) return Malformed(what);
  m->resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
  for (Eigen::Index i = 0; i < m->size(); ++i) NQ_RETURN_IF_ERROR(Double(&m->data()[i], what));
  return Status::OK();
}

Status ModelReader::Vector(Eigen::VectorXd* v, const char* what) {
  Eigen::MatrixXd m;
  NQ_RETURN_IF_ERROR(Matrix(&m, what));
  if (m.cols() != 1) return Malformed(what);
  *v = m.col(0);
  return Status::OK();
}

Status ModelReader::RowVector(Eigen::RowVectorXd* v, const char* what) {
  Eigen::MatrixXd m;
  NQ_RETURN_IF_ERROR(Matrix(&m, what));
  if (m.rows() != 1) return Malformed(what);
  *v = m.row(0);
  return Status::OK();
}

Status ModelReader::Done() const {
  if (reader_.remaining() != 0) return Malformed("trailing bytes");
  return Status::OK();
}

}  // namespace neuroquantum::neuro
