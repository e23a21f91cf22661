// Crash recovery (ARIES-style, simplified):
//  1. Analysis + redo: scan the WAL from the control file's undo LSN. Page
//     changes at or after the redo LSN are replayed onto pages whose LSN is
//     older (full images restore torn pages). Transactions without a commit
//     or abort record are losers; their undoable records are collected,
//     minus those already compensated.
//  2. Open the WAL for appending at the end of the valid log, in a new epoch.
//  3. Undo: roll back each loser through the trees, logging compensation
//     records, then an abort record. A loser with a prepare record is left
//     as it is and handed back as a prepared transaction.
//  4. Leak repair: free pages allocated but never linked (overflow pages of a
//     value whose leaf cell was never logged, a new tree's root, the pages of
//     a bulk load whose root mtr was never logged), and finish chains whose
//     freeing was interrupted.
//  5. Checkpoint.
#include <algorithm>

#include "common/log.h"
#include "fmt/format.h"
#include "storage/engine.h"

namespace neuroquantum::storage {

Status StorageEngine::RedoPages(const MtrRecord& mtr, Lsn end) {
  for (const PageUpdate& update : mtr.pages) {
    bool missing = false;
    NQ_ASSIGN_OR_RETURN(PageGuard page, pool_->FetchForRedo(update.page_id, &missing));
    if (!missing && GetPageLsn(page.data()) >= end) continue;  // already there
    if (missing && !update.full_image) {
      return Status::Corruption(fmt::format(
          "page {} is damaged and the WAL record ending at LSN {} has no full image of it",
          update.page_id, end));
    }
    NQ_RETURN_IF_ERROR(ApplyPageUpdate(update, page.mutable_data(), page_size_));
    SetPageLsn(page.mutable_data(), end);
    page.MarkDirty();
    recovery_.pages_redone++;
  }
  return Status::OK();
}

Status StorageEngine::Recover() {
  ctx_.redo_lsn.store(control_.redo_lsn);
  recovery_.redo_start = control_.redo_lsn;
  WalReader reader(env_, wal_dir_, control_.segment_size, database_id_, control_.undo_lsn);
  std::map<TxnId, RecoveredTxn> losers;
  std::map<TxnId, std::vector<PageId>> pending;  // allocated, not yet linked
  std::map<PageId, PageId> chains;               // chain head -> next page to free
  TxnId next_txn = std::max<TxnId>(control_.next_txn_id, 1);
  std::string bytes;
  Lsn start = 0, end = 0;
  while (reader.Next(&bytes, &start, &end)) {
    recovery_.records_scanned++;
    auto rec = DecodeWalRecord(bytes, page_size_);
    if (!rec.ok()) return rec.status().WithContext(fmt::format("WAL at LSN {}", start));
    TxnId txn = rec->txn;
    next_txn = std::max(next_txn, txn + 1);
    if (rec->type == WalRecordType::kPrepare) {
      RecoveredTxn& t = losers[txn];
      if (t.first == 0) t.first = start;
      t.prepared = true;
      t.gid = rec->gid;
      continue;
    }
    if (rec->type != WalRecordType::kMtr) {
      losers.erase(txn);
      pending.erase(txn);
      continue;
    }
    const MtrRecord& mtr = rec->mtr;
    if (start >= control_.redo_lsn) {
      if (options_.read_only) {
        return Status::Busy("database needs crash recovery; open it read-write first");
      }
      NQ_RETURN_IF_ERROR(RedoPages(mtr, end).WithContext(fmt::format("redo at LSN {}", start)));
    }
    if (mtr.flags & kChainFree) {
      if (mtr.chain_next == kInvalidPageId) chains.erase(mtr.chain_head);
      else chains[mtr.chain_head] = mtr.chain_next;
    }
    if (txn == 0) {
      // Recovery's own finishing of an interrupted chain free: the chain may
      // be an unlinked one its transaction was giving back (Put's clean-up),
      // so its pages leave every pending set, as they would have left that
      // transaction's had it logged the free itself.
      if (mtr.flags & kChainFree) {
        for (auto& [owner, list] : pending) {
          for (const auto& page : mtr.pages) {
            list.erase(std::remove(list.begin(), list.end(), page.page_id), list.end());
          }
        }
      }
      continue;
    }
    RecoveredTxn& loser = losers[txn];
    if (loser.first == 0) loser.first = start;
    if ((mtr.flags & kHasLogical) && !(mtr.flags & kCompensation)) loser.undo.push_back(start);
    if (mtr.flags & kCompensation) {
      auto& list = loser.undo;
      list.erase(std::remove(list.begin(), list.end(), mtr.compensated_lsn), list.end());
    }
    if (mtr.flags & kOverflowAlloc) {
      for (const auto& page : mtr.pages) {
        if (page.page_id != kHeaderPageId) pending[txn].push_back(page.page_id);
      }
    }
    if (mtr.flags & kChainFree) {
      // Pages of a chain being freed are no longer "allocated, unlinked".
      auto& list = pending[txn];
      for (const auto& page : mtr.pages) {
        list.erase(std::remove(list.begin(), list.end(), page.page_id), list.end());
      }
    }
    // A logical or compensation record links the chain or root it follows;
    // kLinkPending (a bulk load's root mtr) links everything allocated so far.
    if (mtr.flags & (kHasLogical | kCompensation | kLinkPending)) pending.erase(txn);
  }
  NQ_RETURN_IF_ERROR(reader.status());
  recovery_.log_end = reader.end_lsn();
  if (reader.ValidDataBeyondEnd(4)) {
    // Either media damage (a bit flip in a record) or a power loss that kept
    // later unsynced blocks but not earlier ones; they cannot be told apart,
    // so replay stops here as PostgreSQL and SQLite do, and says so.
    recovery_.damaged_wal_discarded = true;
    NQ_LOG_ERROR("storage",
                 "{}: WAL record at LSN {} is damaged; valid-looking records after it were "
                 "discarded (recent commits may be lost)",
                 path_, recovery_.log_end);
  }
  next_txn_id_.store(next_txn);
  if (options_.read_only) {
    // Undo needs writes; showing an unfinished transaction's changes would
    // be wrong, so a read-only open needs a database without them.
    bool unfinished = std::any_of(losers.begin(), losers.end(),
                                  [](const auto& l) { return !l.second.undo.empty() || l.second.prepared; }) ||
                      std::any_of(pending.begin(), pending.end(), [](const auto& p) { return !p.second.empty(); }) ||
                      !chains.empty();
    if (unfinished) return Status::Busy("database needs crash recovery; open it read-write first");
    return LoadCatalog();
  }

  // A new epoch, made durable before the first append, lets readers tell
  // our records from stale ones left beyond the old end of log.
  control_.epoch = std::max(control_.epoch, reader.last_epoch()) + 1;
  NQ_RETURN_IF_ERROR(WriteControl(control_.redo_lsn, control_.undo_lsn));
  WalConfig config{wal_dir_, control_.segment_size, database_id_, control_.epoch,
                   options_.durability};
  NQ_ASSIGN_OR_RETURN(wal_, WalWriter::Open(env_, config, recovery_.log_end));
  ctx_.wal = wal_.get();
  pool_->SetWalFlush([this](Lsn lsn) { return wal_->FlushTo(lsn, true); });
  pool_->SetWalEnd([this] { return wal_->end_lsn(); });
  return FinishRecovery(std::move(losers), std::move(pending), std::move(chains));
}

Status StorageEngine::FinishRecovery(std::map<TxnId, RecoveredTxn> losers,
                                     std::map<TxnId, std::vector<PageId>> pending,
                                     std::map<PageId, PageId> chains) {
  NQ_RETURN_IF_ERROR(EnsureCatalogRoot());
  NQ_RETURN_IF_ERROR(LoadCatalog());
  // Interrupted chain frees first: their remaining pages may also be
  // pending (an unlinked chain being given back), and the pending loop
  // skips pages that are already free, not the other way round.
  BTree helper(&ctx_, 0, kInvalidPageId);
  // Logged under the original head: the scan keys progress by head, so a
  // resumed free under a head of its own would leave the original entry
  // behind, and a recovery interrupted after this one would free from that
  // stale point again - pages an undo below may have reused by then.
  for (const auto& [head, next] : chains) {
    NQ_RETURN_IF_ERROR(helper.FreeOverflowChain(next, 0, &recovery_.leaked_pages_freed, head));
  }
  for (auto& [txn, pages] : pending) {
    for (PageId id : pages) {
      Mtr mtr(&ctx_, txn);
      // Flagged kChainFree (chain_head = 0) like BulkBuilder::Abandon: the
      // record takes the page out of the transaction's pending set, so a
      // recovery interrupted after this point does not free it again once
      // an undo below (or anyone) has reused it.
      mtr.record().flags |= kChainFree;
      NQ_ASSIGN_OR_RETURN(PageGuard * page, mtr.Fetch(id));
      if (GetPageType(page->data()) == PageType::kFree) continue;
      NQ_RETURN_IF_ERROR(FreePage(&mtr, page));
      NQ_ASSIGN_OR_RETURN(Lsn end, mtr.Commit());
      (void)end;
      recovery_.leaked_pages_freed++;
    }
  }
  // Undo after the pages above are freed: a recovery killed during undo may
  // have left a chain written for a compensation it never logged; freeing
  // unlinked pages first means a later compensation record of the same
  // transaction cannot hide such a chain from the next recovery.
  // Prepared transactions are neither undone nor ended: they go back to
  // the caller as open transactions, and stay in the active table so that
  // checkpoints keep their WAL.
  for (auto& [txn, loser] : losers) {
    if (!loser.prepared) continue;
    auto handle = std::unique_ptr<Transaction>(new Transaction(this, txn));
    handle->registered_ = true;
    handle->prepared_ = true;
    handle->gid_ = loser.gid;
    handle->undo_ = loser.undo;
    {
      std::lock_guard lock(txn_mu_);
      active_[txn] = loser.first;
    }
    recovered_prepared_.push_back(std::move(handle));
    recovery_.transactions_prepared++;
  }
  for (auto& [txn, loser] : losers) {
    if (loser.undo.empty() || loser.prepared) continue;
    NQ_RETURN_IF_ERROR(UndoTransaction(txn, loser.undo));
    recovery_.transactions_undone++;
  }
  // Abort records last: an abort clears the transaction's pending pages at
  // the next recovery, so logging it before they are freed would leak them
  // if this recovery is itself interrupted.
  for (auto& [txn, loser] : losers) {
    if (loser.undo.empty() || loser.prepared) continue;
    Transaction stand_in(nullptr, txn);
    NQ_RETURN_IF_ERROR(LogTxnEnd(&stand_in, WalRecordType::kAbort, false));
  }
  if (recovery_.records_scanned > 0) {
    NQ_LOG_INFO("storage",
                "recovered {}: {} WAL records from LSN {} to {}, {} pages redone, {} "
                "transactions undone, {} left prepared",
                path_, recovery_.records_scanned, control_.undo_lsn, recovery_.log_end,
                recovery_.pages_redone, recovery_.transactions_undone,
                recovery_.transactions_prepared);
  }
  return Checkpoint();
}

}  // namespace neuroquantum::storage
