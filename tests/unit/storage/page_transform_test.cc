// The page transform seam end to end: a database opened with a transform
// (here a keyed test cipher: XOR keystream plus an authentication tag in the
// page's reserved tail) writes no data page in the clear, reads its data
// back across reopen, eviction and recovery, and refuses to read pages
// under the wrong key or none, naming the page.
#include <fstream>
#include <iterator>

#include "common/checksum.h"
#include "storage/page_transform.h"
#include "storage_test_util.h"

namespace neuroquantum::storage {
namespace {

using testing::Must;
using testing::TempDir;

class TestCipher final : public PageTransform {
 public:
  explicit TestCipher(uint64_t key) : key_(key) {}

  size_t Encode(PageId id, std::span<const uint8_t> in, std::span<uint8_t> out) override {
    const size_t body = in.size() - kPageReservedTail;
    Xor(id, in.first(body), out.first(body));
    uint32_t tag = Checksum32(out.data(), body, key_ ^ id);
    EncodeFixed32(out.data() + body, tag);
    return in.size();
  }
  Status Decode(PageId id, std::span<const uint8_t> in, std::span<uint8_t> out) override {
    const size_t body = in.size() - kPageReservedTail;
    if (DecodeFixed32(in.data() + body) != Checksum32(in.data(), body, key_ ^ id)) {
      return Status::Corruption(fmt::format("page {}: authentication tag mismatch", id));
    }
    Xor(id, in.first(body), out.first(body));
    std::memset(out.data() + body, 0, kPageReservedTail);
    return Status::OK();
  }

 private:
  void Xor(PageId id, std::span<const uint8_t> in, std::span<uint8_t> out) const {
    for (size_t i = 0; i < in.size(); i += 4) {
      uint64_t block = i;
      uint32_t pad = Checksum32(&block, sizeof(block), key_ * 31 + id);
      for (size_t j = 0; j < 4 && i + j < in.size(); ++j) {
        out[i + j] = static_cast<uint8_t>(in[i + j] ^ (pad >> (8 * j)));
      }
    }
  }
  uint64_t key_;
};

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::string kMarker = "plaintext-marker-7f3a";

TEST(PageTransformTest, DataPagesAreNeverWrittenInTheClearAndReadBack) {
  TempDir dir;
  const std::string path = dir.Path("db");
  TestCipher cipher(0x5eed);
  Options o = testing::SmallOptions(nullptr);
  o.page_transform = &cipher;
  std::map<std::string, std::string> model;
  {
    auto db = Must(StorageEngine::Open(path, o));
    TreeId tree = Must(db->CreateTree("t"));
    auto txn = db->Begin();
    // Enough to spill out of the 1 MiB pool, and one overflow value.
    for (int i = 0; i < 3000; ++i) {
      std::string key = fmt::format("{}-{:05}", kMarker, i);
      std::string value = fmt::format("{}-value-{}", kMarker, i);
      if (i == 7) value = std::string(20000, 'q') + kMarker;
      ASSERT_TRUE(db->Put(txn.get(), tree, key, value).ok());
      model[key] = value;
    }
    ASSERT_TRUE(db->Commit(txn.get()).ok());
    ASSERT_TRUE(db->Checkpoint().ok());
  }
  EXPECT_EQ(ReadWholeFile(path).find(kMarker), std::string::npos)
      << "a data page reached the file untransformed";
  {
    auto db = Must(StorageEngine::Open(path, o));
    TreeId tree = Must(db->FindTree("t"));
    testing::ExpectTreeEquals(db.get(), tree, model);
    testing::ExpectIntegrity(db.get());
  }
  // Without the transform, or with another key, pages fail to read with an
  // error naming the page; nothing is returned as data.
  TestCipher wrong(0xbad);
  for (PageTransform* t : {static_cast<PageTransform*>(nullptr), static_cast<PageTransform*>(&wrong)}) {
    Options other = o;
    other.page_transform = t;
    auto db = StorageEngine::Open(path, other);
    if (!db.ok()) {
      EXPECT_EQ(db.status().code(), StatusCode::kCorruption) << db.status().ToString();
      EXPECT_NE(db.status().ToString().find("page "), std::string::npos);
      continue;
    }
    auto tree = (*db)->FindTree("t");
    ASSERT_FALSE(tree.ok());
    EXPECT_EQ(tree.status().code(), StatusCode::kCorruption) << tree.status().ToString();
  }
}

}  // namespace
}  // namespace neuroquantum::storage
