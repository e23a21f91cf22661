// Recovery interrupted by a power loss and run again. Recovery's leak repair
// frees the overflow pages a loser allocated but never linked; an undo that
// runs after it may take those very pages for a committed value it restores.
// If the first recovery dies before its checkpoint, the second one rescans
// the same WAL: it must know the pages were already given back, or it frees
// them a second time from under the restored value. The same holds for the
// pages of a chain free that recovery finishes. Each test kills recovery #1
// at its last control-file write (its checkpoint's), counted by a probe that
// runs the same history to the end. The count is taken among control-file
// writes only: a new database gets a random id, whose bytes change the size
// of the WAL's page images and so, now and then, the number of WAL writes.
#include <cstdint>
#include <string>

#include "../unit/storage/storage_test_util.h"
#include "common/coding.h"
#include "storage/btree_internal.h"
#include "storage/control_file.h"

namespace neuroquantum::storage {
namespace {

using testing::ExpectIntegrity;
using testing::Must;
using testing::SmallOptions;

constexpr char kControlPath[] = "db-wal/control";
constexpr char kKey[] = "k";
constexpr char kLoserKey[] = "k2";
constexpr size_t kValueBytes = 40 << 10;
// More overflow pages than the 256 frames of SmallOptions' buffer pool: the
// chain evicts its own dirty pages while it is written, and each eviction
// first syncs the WAL, so part of the chain's allocations is durable when
// the power goes. The leaf cell that would link the chain comes last and is
// never synced.
constexpr size_t kLoserValueBytes = 2 << 20;

// Bytes that differ from page to page of a chain, so a chain stitched from
// the wrong pages does not read back as the right value.
std::string MakeValue(size_t size, uint32_t seed) {
  std::string value(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (char& c : value) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return value;
}

const std::string& CommittedValue() {
  static const std::string value = MakeValue(kValueBytes, 1);
  return value;
}

// Leaves "db" as a power loss finds it: kKey committed with CommittedValue();
// transaction U open with kKey rewritten; transaction T open with its Put of
// kLoserKey returned, of which only the first part of the overflow chain's
// allocations reached the durable WAL.
void BuildCrashedDatabase(FaultInjectionEnv* env) {
  auto engine = Must(StorageEngine::Open("db", SmallOptions(env)));
  TreeId tree = Must(engine->CreateTree("t"));
  auto setup = engine->Begin();
  ASSERT_TRUE(engine->Put(setup.get(), tree, kKey, CommittedValue()).ok());
  ASSERT_TRUE(engine->Commit(setup.get()).ok());

  auto update = engine->Begin();
  ASSERT_TRUE(engine->Put(update.get(), tree, kKey, MakeValue(kValueBytes, 2)).ok());
  auto loser = engine->Begin();
  ASSERT_TRUE(engine->Put(loser.get(), tree, kLoserKey, MakeValue(kLoserValueBytes, 3)).ok());
  // The power goes now: the next write fails and so does everything after
  // it, so the rollbacks below and the engine's close leave no trace.
  env->CrashAtOp(env->mutating_ops(), CrashAction::kDropOp);
  loser.reset();
  update.reset();
  engine.reset();
  ASSERT_TRUE(env->crashed());
  env->SimulateCrash(CrashMode::kDropUnsynced, 1);
}

// Recovery #1 frees T's unlinked pages, then undoes U, whose restored value
// of kKey gets a new chain from the head of the free list: pages T had.
// Recovery #1 is killed at the write of the control file that would end it,
// after its WAL records are durable; recovery #2 replays them and must not
// free those pages again.
TEST(InterruptedRecoveryTest, SecondRecoveryKeepsPagesTheFirstFreedAndReused) {
  // A probe runs the same history with recovery #1 left to finish, to learn
  // where its operations end and what it did.
  uint64_t recovery_control_writes;
  RecoveryInfo first;
  {
    FaultInjectionEnv probe;
    BuildCrashedDatabase(&probe);
    if (HasFatalFailure()) return;
    const uint64_t control_writes_before = probe.writes_to(kControlPath);
    auto engine = Must(StorageEngine::Open("db", SmallOptions(&probe)));
    recovery_control_writes = probe.writes_to(kControlPath) - control_writes_before;
    first = engine->recovery_info();
    TreeId tree = Must(engine->FindTree("t"));
    EXPECT_TRUE(Must(engine->Get(tree, kKey)) == CommittedValue());
    EXPECT_EQ(Must(engine->Get(tree, kLoserKey)), std::nullopt);
    ExpectIntegrity(engine.get());
  }
  // The scenario needs T's chain to be partly durable (leak repair has
  // pages to free) and larger than the restored value's chain (so all of
  // that chain comes from T's freed pages).
  EXPECT_EQ(first.transactions_undone, 1u);
  ASSERT_GT(first.leaked_pages_freed, 2 * (kValueBytes / 4096));

  FaultInjectionEnv env;
  BuildCrashedDatabase(&env);
  if (HasFatalFailure()) return;
  // Recovery #1 writes the control file for its new epoch and, last, for
  // its checkpoint: the crash drops the checkpoint's write.
  ASSERT_GE(recovery_control_writes, 2u);
  const ControlData before = Must(ControlFile::Read(&env, kControlPath));
  env.CrashAtWriteTo(kControlPath, env.writes_to(kControlPath) + recovery_control_writes - 1,
                     CrashAction::kDropOp);
  auto interrupted = StorageEngine::Open("db", SmallOptions(&env));
  ASSERT_FALSE(interrupted.ok());
  ASSERT_TRUE(env.crashed());
  env.SimulateCrash(CrashMode::kDropUnsynced, 2);

  auto engine = StorageEngine::Open("db", SmallOptions(&env));
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  const RecoveryInfo& second = (*engine)->recovery_info();
  // The control file still holds the old redo point, and the WAL holds
  // recovery #1's records: recovery #2 replayed what recovery #1 did. The
  // probe's WAL may differ from this one by a few bytes of page images
  // (the database id), far less than recovery #1 appends.
  EXPECT_EQ(second.redo_start, before.redo_lsn);
  EXPECT_GT(second.log_end, first.log_end);
  // U's undo and abort were logged by recovery #1; T's pages were all freed
  // by recovery #1 (and some reused): nothing is left for recovery #2.
  EXPECT_EQ(second.transactions_undone, 0u);
  EXPECT_EQ(second.leaked_pages_freed, 0u);
  TreeId tree = Must((*engine)->FindTree("t"));
  auto value = (*engine)->Get(tree, kKey);
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_TRUE(*value == CommittedValue()) << "the restored value of " << kKey << " reads back wrong";
  EXPECT_EQ(Must((*engine)->Get(tree, kLoserKey)), std::nullopt);
  ExpectIntegrity(engine->get());
}


// Leaves "db" as a power loss finds it: kKey committed with a value whose
// overflow chain is larger than the buffer pool, and transaction U open with
// kKey rewritten to a short value. U's Put frees the old chain in batches;
// the freed pages it evicts sync the WAL part way, so the durable WAL holds
// the first batches of the free but not the last.
void BuildCrashedChainFree(FaultInjectionEnv* env, const std::string& committed) {
  auto engine = Must(StorageEngine::Open("db", SmallOptions(env)));
  TreeId tree = Must(engine->CreateTree("t"));
  auto setup = engine->Begin();
  ASSERT_TRUE(engine->Put(setup.get(), tree, kKey, committed).ok());
  ASSERT_TRUE(engine->Commit(setup.get()).ok());
  auto update = engine->Begin();
  ASSERT_TRUE(engine->Put(update.get(), tree, kKey, "short").ok());
  env->CrashAtOp(env->mutating_ops(), CrashAction::kDropOp);
  update.reset();
  engine.reset();
  ASSERT_TRUE(env->crashed());
  env->SimulateCrash(CrashMode::kDropUnsynced, 3);
}

// Recovery #1 finishes U's interrupted chain free, then undoes U: the
// restored value's chain reuses the pages just freed. Killed before its
// checkpoint, recovery #1 leaves its resumed free in the WAL; recovery #2
// must see that free as finished, not resume the original one again from
// where U stopped (a page that is now part of the restored chain).
TEST(InterruptedRecoveryTest, SecondRecoveryDoesNotResumeAChainFreeTheFirstFinished) {
  const std::string committed = MakeValue(kLoserValueBytes, 4);
  const uint64_t chain_pages = kLoserValueBytes / 4096;
  uint64_t recovery_control_writes;
  RecoveryInfo first;
  {
    FaultInjectionEnv probe;
    BuildCrashedChainFree(&probe, committed);
    if (HasFatalFailure()) return;
    const uint64_t control_writes_before = probe.writes_to(kControlPath);
    auto engine = Must(StorageEngine::Open("db", SmallOptions(&probe)));
    recovery_control_writes = probe.writes_to(kControlPath) - control_writes_before;
    first = engine->recovery_info();
    TreeId tree = Must(engine->FindTree("t"));
    EXPECT_TRUE(Must(engine->Get(tree, kKey)) == committed);
    ExpectIntegrity(engine.get());
  }
  // Recovery #1 resumed the free part way along the chain.
  EXPECT_EQ(first.transactions_undone, 1u);
  ASSERT_GT(first.leaked_pages_freed, 0u);
  ASSERT_LT(first.leaked_pages_freed, chain_pages);

  FaultInjectionEnv env;
  BuildCrashedChainFree(&env, committed);
  if (HasFatalFailure()) return;
  ASSERT_GE(recovery_control_writes, 2u);
  const ControlData before = Must(ControlFile::Read(&env, kControlPath));
  // The checkpoint's control-file write.
  env.CrashAtWriteTo(kControlPath, env.writes_to(kControlPath) + recovery_control_writes - 1,
                     CrashAction::kDropOp);
  ASSERT_FALSE(StorageEngine::Open("db", SmallOptions(&env)).ok());
  ASSERT_TRUE(env.crashed());
  env.SimulateCrash(CrashMode::kDropUnsynced, 4);

  auto engine = StorageEngine::Open("db", SmallOptions(&env));
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  const RecoveryInfo& second = (*engine)->recovery_info();
  EXPECT_EQ(second.redo_start, before.redo_lsn);
  EXPECT_GT(second.log_end, first.log_end);
  EXPECT_EQ(second.transactions_undone, 0u);
  EXPECT_EQ(second.leaked_pages_freed, 0u);
  TreeId tree = Must((*engine)->FindTree("t"));
  auto value = (*engine)->Get(tree, kKey);
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_TRUE(*value == committed) << "the restored value of " << kKey << " reads back wrong";
  ExpectIntegrity(engine->get());
}


// Leaves "db" as a power loss finds it after a Put of transaction X failed
// once its overflow chain was written, and its clean-up (the chain free in
// BTree::Put's error path) was cut short after the first batch: X's chain
// allocations and that batch are durable, the rest of the free is not. X has
// no logical record. Transaction U, begun before X, has rewritten kKey.
// The chain and the partial free are written here with the same records the
// engine logs for them (WriteOverflowChain, FreeOverflowChain), since no
// ordinary call leaves this WAL behind on demand.
void BuildCrashedUnlinkedChainFree(FaultInjectionEnv* env) {
  auto engine = Must(StorageEngine::Open("db", SmallOptions(env)));
  TreeId tree = Must(engine->CreateTree("t"));
  auto setup = engine->Begin();
  ASSERT_TRUE(engine->Put(setup.get(), tree, kKey, CommittedValue()).ok());
  ASSERT_TRUE(engine->Commit(setup.get()).ok());
  auto update = engine->Begin();
  ASSERT_TRUE(engine->Put(update.get(), tree, kKey, MakeValue(kValueBytes, 2)).ok());

  TxnId failed = engine->AllocateTxnId();
  StorageContext* ctx = engine->context();
  PageId head = kInvalidPageId;
  for (size_t k = 0; k < 2 * btree_internal::kFreeBatch; ++k) {
    Mtr mtr(ctx, failed);
    mtr.record().flags |= kOverflowAlloc;
    PageGuard* page = Must(AllocatePage(&mtr, PageType::kOverflow));
    EncodeFixed64(page->mutable_data() + btree_internal::kOverflowNextOffset, head);
    EncodeFixed32(page->mutable_data() + btree_internal::kOverflowUsedOffset, 0);
    head = page->page_id();
    (void)Must(mtr.Commit());
  }
  {
    Mtr mtr(ctx, failed);
    mtr.record().flags |= kChainFree;
    mtr.record().chain_head = head;
    PageId next = head;
    for (size_t i = 0; i < btree_internal::kFreeBatch; ++i) {
      PageGuard* page = Must(mtr.Fetch(next));
      next = DecodeFixed64(page->data() + btree_internal::kOverflowNextOffset);
      ASSERT_TRUE(FreePage(&mtr, page).ok());
    }
    mtr.record().chain_next = next;
    (void)Must(mtr.Commit());
  }
  ASSERT_TRUE(ctx->wal->FlushAll().ok());
  env->CrashAtOp(env->mutating_ops(), CrashAction::kDropOp);
  update.reset();
  engine.reset();
  ASSERT_TRUE(env->crashed());
  env->SimulateCrash(CrashMode::kDropUnsynced, 5);
}

// Recovery #1 finishes X's free (as transaction 0) and then finds those
// pages free in its leak repair, so it logs nothing more for them; U's undo
// restores kKey's value into some of them. Killed before its checkpoint,
// recovery #1 leaves recovery #2 a WAL in which X's allocations are still
// unlinked: the resumed free must take its pages out of X's pending set, or
// recovery #2 frees the restored chain.
TEST(InterruptedRecoveryTest, ResumedFreeOfAnUnlinkedChainEndsItsPagesPending) {
  uint64_t recovery_control_writes;
  RecoveryInfo first;
  {
    FaultInjectionEnv probe;
    BuildCrashedUnlinkedChainFree(&probe);
    if (HasFatalFailure()) return;
    const uint64_t control_writes_before = probe.writes_to(kControlPath);
    auto engine = Must(StorageEngine::Open("db", SmallOptions(&probe)));
    recovery_control_writes = probe.writes_to(kControlPath) - control_writes_before;
    first = engine->recovery_info();
    TreeId tree = Must(engine->FindTree("t"));
    EXPECT_TRUE(Must(engine->Get(tree, kKey)) == CommittedValue());
    ExpectIntegrity(engine.get());
  }
  EXPECT_EQ(first.transactions_undone, 1u);
  // The second batch of X's chain, freed by the resumed free.
  EXPECT_EQ(first.leaked_pages_freed, btree_internal::kFreeBatch);

  FaultInjectionEnv env;
  BuildCrashedUnlinkedChainFree(&env);
  if (HasFatalFailure()) return;
  ASSERT_GE(recovery_control_writes, 2u);
  const ControlData before = Must(ControlFile::Read(&env, kControlPath));
  // The checkpoint's control-file write.
  env.CrashAtWriteTo(kControlPath, env.writes_to(kControlPath) + recovery_control_writes - 1,
                     CrashAction::kDropOp);
  ASSERT_FALSE(StorageEngine::Open("db", SmallOptions(&env)).ok());
  ASSERT_TRUE(env.crashed());
  env.SimulateCrash(CrashMode::kDropUnsynced, 6);

  auto engine = StorageEngine::Open("db", SmallOptions(&env));
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  const RecoveryInfo& second = (*engine)->recovery_info();
  EXPECT_EQ(second.redo_start, before.redo_lsn);
  EXPECT_GT(second.log_end, first.log_end);
  EXPECT_EQ(second.transactions_undone, 0u);
  EXPECT_EQ(second.leaked_pages_freed, 0u);
  TreeId tree = Must((*engine)->FindTree("t"));
  auto value = (*engine)->Get(tree, kKey);
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_TRUE(*value == CommittedValue()) << "the restored value of " << kKey << " reads back wrong";
  ExpectIntegrity(engine->get());
}

}  // namespace
}  // namespace neuroquantum::storage
