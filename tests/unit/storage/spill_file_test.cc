// Spill files: records of any size come back in order, across pages and
// through a page transform; nothing is left in the directory; damaged
// pages are reported, never returned as records.
#include <dirent.h>

#include <string>
#include <vector>

#include "storage/spill_file.h"
#include "storage_test_util.h"

namespace neuroquantum::storage {
namespace {

using testing::Must;
using testing::TempDir;

// Flips every body byte, so nothing is stored in the clear; `damage`
// makes Decode change one byte, as a bad disk would.
class FlipTransform final : public PageTransform {
 public:
  size_t Encode(PageId, std::span<const uint8_t> in, std::span<uint8_t> out) override {
    for (size_t i = 0; i < in.size(); ++i) out[i] = static_cast<uint8_t>(~in[i]);
    ++encoded;
    return in.size();
  }
  Status Decode(PageId, std::span<const uint8_t> in, std::span<uint8_t> out) override {
    for (size_t i = 0; i < in.size(); ++i) out[i] = static_cast<uint8_t>(~in[i]);
    if (damage) out[100] ^= 1;
    return Status::OK();
  }
  int encoded = 0;
  bool damage = false;
};

size_t EntriesIn(const std::string& dir) {
  size_t n = 0;
  DIR* d = ::opendir(dir.c_str());
  while (dirent* e = ::readdir(d)) n += std::string(e->d_name) != "." && std::string(e->d_name) != "..";
  ::closedir(d);
  return n;
}

std::vector<std::string> Records() {
  std::vector<std::string> out = {"", "a", std::string(4000, 'x'), std::string(9000, 'y'), ""};
  for (int i = 0; i < 2000; ++i) out.push_back("record " + std::to_string(i) + std::string(i % 50, '.'));
  return out;
}

TEST(SpillFileTest, RecordsComeBackInOrderThroughTheTransform) {
  TempDir dir("nq_spill_");
  FlipTransform transform;
  auto file = Must(SpillFile::Create(dir.path(), 4096, &transform));
  EXPECT_EQ(EntriesIn(dir.path()), 0u);  // unlinked from the start
  const std::vector<std::string> records = Records();
  for (const auto& r : records) ASSERT_TRUE(file->Append(r).ok());
  ASSERT_TRUE(file->Finish().ok());
  EXPECT_GT(transform.encoded, 10);
  EXPECT_EQ(file->bytes_written(), static_cast<uint64_t>(transform.encoded) * 4096);
  std::string got;
  for (const auto& r : records) {
    ASSERT_TRUE(Must(file->Next(&got)));
    ASSERT_EQ(got, r);
  }
  EXPECT_FALSE(Must(file->Next(&got)));
  EXPECT_FALSE(file->Append("late").ok());
}

TEST(SpillFileTest, EmptyFileAndPlainPages) {
  TempDir dir("nq_spill_");
  auto file = Must(SpillFile::Create(dir.path(), 8192, nullptr));
  std::string got;
  EXPECT_FALSE(file->Next(&got).ok());  // not finished
  ASSERT_TRUE(file->Finish().ok());
  EXPECT_FALSE(Must(file->Next(&got)));
  EXPECT_EQ(file->bytes_written(), 0u);
  EXPECT_FALSE(SpillFile::Create(dir.path() + "/missing", 4096, nullptr).ok());
}

TEST(SpillFileTest, DamagedPageIsCorruption) {
  TempDir dir("nq_spill_");
  FlipTransform transform;
  auto file = Must(SpillFile::Create(dir.path(), 4096, &transform));
  for (const auto& r : Records()) ASSERT_TRUE(file->Append(r).ok());
  ASSERT_TRUE(file->Finish().ok());
  transform.damage = true;
  std::string got;
  auto next = file->Next(&got);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), StatusCode::kCorruption) << next.status().ToString();
}

}  // namespace
}  // namespace neuroquantum::storage
