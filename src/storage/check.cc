// Integrity checker.
#include "storage/check.h"

#include <optional>

#include "fmt/format.h"
#include "storage/btree_node.h"

namespace neuroquantum::storage {
namespace {

constexpr size_t kMaxProblems = 100;

class Checker {
 public:
  Checker(StorageEngine* engine, CheckReport* report)
      : pool_(engine->context()->pool), page_size_(engine->page_size()), report_(report) {}

  Status Run(StorageEngine* engine) {
    uint64_t free_head, free_count;
    {
      NQ_ASSIGN_OR_RETURN(PageGuard header, pool_->Fetch(kHeaderPageId, LatchMode::kShared));
      report_->page_count = DecodeFixed64(header.data() + header::kPageCount);
      free_head = DecodeFixed64(header.data() + header::kFreeHead);
      free_count = DecodeFixed64(header.data() + header::kFreeCount);
    }
    owner_.assign(report_->page_count, 0);
    for (const auto& [name, root] : engine->TreeRoots()) CheckTree(name, root);
    CheckFreeList(free_head, free_count);
    for (PageId id = 1; id < report_->page_count; ++id) {
      if (owner_[id] == 0) Problem(id, "page is neither in a tree nor on the free list (leaked)");
    }
    return Status::OK();
  }

 private:
  void Problem(PageId id, const std::string& what) {
    if (report_->problems.size() < kMaxProblems) {
      report_->problems.push_back(fmt::format("page {}: {}", id, what));
    }
  }

  // Marks a page as used; false if out of range or already used.
  bool Claim(PageId id, const std::string& by) {
    if (id == kHeaderPageId || id >= report_->page_count) {
      Problem(id, fmt::format("{} points outside the file (page count {})", by, report_->page_count));
      return false;
    }
    if (owner_[id] != 0) {
      Problem(id, fmt::format("{} points to a page that is already in use", by));
      return false;
    }
    owner_[id] = 1;
    return true;
  }

  struct Frame {
    PageId id;
    std::optional<std::string> low;   // keys must be >= low
    std::optional<std::string> high;  // keys must be < high
    int level;                        // expected level, -1 = root (any)
  };

  void CheckTree(const std::string& name, PageId root) {
    std::vector<Frame> stack{{root, std::nullopt, std::nullopt, -1}};
    std::vector<std::pair<PageId, PageId>> leaves;  // (page, left link) in key order
    std::vector<PageId> rights;
    std::optional<TreeId> tree_id;
    std::string what = fmt::format("tree '{}'", name);
    while (!stack.empty()) {
      Frame f = stack.back();
      stack.pop_back();
      if (!Claim(f.id, what)) continue;
      report_->tree_pages++;
      auto guard = pool_->Fetch(f.id, LatchMode::kShared);
      if (!guard.ok()) {
        Problem(f.id, guard.status().ToString());
        continue;
      }
      btree::Node node(const_cast<uint8_t*>(guard->data()), page_size_);
      if (std::string problem = node.Validate(true); !problem.empty()) {
        Problem(f.id, problem);
        continue;
      }
      if (!tree_id) tree_id = node.tree_id();
      if (node.tree_id() != *tree_id) Problem(f.id, fmt::format("belongs to tree id {}, not {}", node.tree_id(), *tree_id));
      if (f.level >= 0 && node.level() != f.level) {
        Problem(f.id, fmt::format("level {} where {} was expected (unbalanced tree)", node.level(), f.level));
        continue;
      }
      for (uint16_t i = 0; i < node.count(); ++i) {
        std::string_view key = node.key(i);
        if ((f.low && key < *f.low) || (f.high && key >= *f.high)) {
          Problem(f.id, fmt::format("key {} lies outside its parent's bounds", i));
        }
      }
      if (node.is_leaf()) {
        CheckLeafValues(f.id, node);
        leaves.emplace_back(f.id, node.left());
        rights.push_back(node.right());
        continue;
      }
      // Push children right-to-left so leaves are visited in key order.
      int child_level = node.level() - 1;
      for (int i = node.count() - 1; i >= -1; --i) {
        std::optional<std::string> low = i < 0 ? f.low : std::optional<std::string>(std::string(node.key(static_cast<uint16_t>(i))));
        std::optional<std::string> high = i + 1 < node.count() ? std::optional<std::string>(std::string(node.key(static_cast<uint16_t>(i + 1)))) : f.high;
        stack.push_back({node.ChildAt(i), low, high, child_level});
      }
    }
    for (size_t i = 0; i < leaves.size(); ++i) {
      PageId want_left = i == 0 ? kInvalidPageId : leaves[i - 1].first;
      PageId want_right = i + 1 == leaves.size() ? kInvalidPageId : leaves[i + 1].first;
      if (leaves[i].second != want_left) Problem(leaves[i].first, "left sibling link is wrong");
      if (rights[i] != want_right) Problem(leaves[i].first, "right sibling link is wrong");
    }
  }

  void CheckLeafValues(PageId leaf, const btree::Node& node) {
    for (uint16_t i = 0; i < node.count(); ++i) {
      report_->entries++;
      btree::Cell cell = node.cell(i);
      if (cell.overflow) CheckChain(leaf, cell.overflow_page, cell.value_size);
    }
  }

  void CheckChain(PageId leaf, PageId first, uint64_t size) {
    uint64_t total = 0;
    std::string by = fmt::format("overflow chain of leaf {}", leaf);
    for (PageId id = first; id != kInvalidPageId;) {
      if (!Claim(id, by)) return;
      report_->overflow_pages++;
      auto guard = pool_->Fetch(id, LatchMode::kShared);
      if (!guard.ok()) {
        Problem(id, guard.status().ToString());
        return;
      }
      if (GetPageType(guard->data()) != PageType::kOverflow) {
        Problem(id, fmt::format("{} reaches a {} page", by, PageTypeName(GetPageType(guard->data()))));
        return;
      }
      total += DecodeFixed32(guard->data() + kPageHeaderSize + 8);
      id = DecodeFixed64(guard->data() + kPageHeaderSize);
    }
    if (total != size) Problem(first, fmt::format("{} holds {} bytes, cell says {}", by, total, size));
  }

  void CheckFreeList(PageId head, uint64_t count) {
    uint64_t seen = 0;
    for (PageId id = head; id != kInvalidPageId && seen <= count;) {
      if (!Claim(id, "free list")) return;
      seen++;
      auto guard = pool_->Fetch(id, LatchMode::kShared);
      if (!guard.ok()) {
        Problem(id, guard.status().ToString());
        return;
      }
      if (GetPageType(guard->data()) != PageType::kFree) {
        Problem(id, fmt::format("free list reaches a {} page", PageTypeName(GetPageType(guard->data()))));
        return;
      }
      id = DecodeFixed64(guard->data() + kPageHeaderSize);
    }
    report_->free_pages = seen;
    if (seen != count) Problem(kHeaderPageId, fmt::format("free list has {} pages, header says {}", seen, count));
  }

  BufferPool* pool_;
  uint32_t page_size_;
  CheckReport* report_;
  std::vector<uint8_t> owner_;
};

}  // namespace

Status CheckDatabase(StorageEngine* engine, CheckReport* report) {
  Checker checker(engine, report);
  return checker.Run(engine);
}

}  // namespace neuroquantum::storage
