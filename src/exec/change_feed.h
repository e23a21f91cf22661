// The decoded change feed behind Database::SubscribeChanges
// (docs/architecture/exec.md).
//
// The transaction engine calls its change listeners on the committing
// thread, which must not be held up and must not call back into the
// engine. So the listener registered here only queues the events of table
// and catalog trees; a delivery thread decodes them (tree "t.<id>" is the
// table with that id, its records decode with the table's column types)
// and calls the subscribers, one transaction at a time, in commit order.
//
// Thread safety: every public method is thread-safe. Subscribers are
// called on the delivery thread only, one call at a time.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "exec/catalog.h"
#include "neuroquantum/database.h"
#include "txn/txn_engine.h"

namespace neuroquantum::exec {

class Engine;

class ChangeFeed : public std::enable_shared_from_this<ChangeFeed> {
 public:
  using Listener = std::function<void(const CommittedTransaction&)>;

  explicit ChangeFeed(Engine* engine) : engine_(engine) {}
  ~ChangeFeed();
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // Adds a subscriber for the transactions queued from now on. The first
  // one loads the committed catalog, subscribes to the transaction engine
  // and starts the delivery thread. Aborted once Shutdown() has run.
  Result<uint64_t> Subscribe(Listener listener);
  // Removes a subscriber (unknown ids are ignored). Waits for a call to it
  // in progress, unless called from the delivery thread itself. The last
  // one unsubscribes from the engine and stops the delivery thread (joined
  // here, or, when the delivery thread itself removes it, on its way out).
  void Unsubscribe(uint64_t id);
  // Ends every subscription and joins the delivery thread, for good: the
  // engine is not used afterwards. Not from the delivery thread.
  void Shutdown();

 private:
  struct Subscriber {
    Listener listener;
    uint64_t first_seq = 0;  // receives queued transactions from this one on
  };
  struct Queued {
    uint64_t seq = 0;
    txn::CommittedChanges changes;
  };
  // A table known to the decoder, with the ResultSet columns of its rows.
  struct TableEntry {
    std::shared_ptr<const TableInfo> info;  // shares ownership of its catalog
    std::vector<std::string> names;
    std::vector<DataType> types;
  };

  // On the committing thread: queues the table and catalog events, if
  // `generation` is the engine subscription in force (a listener the
  // engine copied before an unsubscription may still call in).
  void Enqueue(const txn::CommittedChanges& changes, uint64_t generation);
  void Loop();
  // Delivery thread only: decodes one transaction; nullopt when it changed
  // no table row the decoder knows.
  std::optional<CommittedTransaction> Decode(const txn::CommittedChanges& changes);
  // Delivery thread only: adds the tables of the committed catalog to
  // tables_, keeping those since dropped (their last events still decode).
  void RefreshTables();
  void AddTables(const std::shared_ptr<const Catalog>& catalog);
  // A ResultSet positioned on the decoded `record` of `table`.
  static Result<ResultSet> RowResult(const TableEntry& table, std::string_view record);
  // mu_ held: starts or revives the delivery thread and the engine
  // subscription.
  void StartLocked();

  Engine* engine_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Queued> queue_;                                  // GUARDED_BY(mu_)
  std::map<uint64_t, std::shared_ptr<Subscriber>> subscribers_;  // GUARDED_BY(mu_)
  uint64_t next_id_ = 1;                                      // GUARDED_BY(mu_)
  uint64_t next_seq_ = 1;                                     // GUARDED_BY(mu_)
  uint64_t calling_ = 0;      // the subscriber being called, 0 for none; GUARDED_BY(mu_)
  bool running_ = false;      // the delivery thread is to keep going; GUARDED_BY(mu_)
  bool restarted_ = false;    // running_ went false to true: the table cache may be stale; GUARDED_BY(mu_)
  bool shut_down_ = false;    // GUARDED_BY(mu_)
  // The catalog when the delivery thread (re)started, for its table cache.
  std::shared_ptr<const Catalog> seed_;  // GUARDED_BY(mu_)
  uint64_t txn_handle_ = 0;   // the engine subscription, 0 for none; GUARDED_BY(mu_)
  uint64_t generation_ = 0;   // counts engine subscriptions; GUARDED_BY(mu_)
  std::thread thread_;        // GUARDED_BY(mu_)

  // Delivery thread only.
  std::map<uint64_t, TableEntry> tables_;  // by table id
};

}  // namespace neuroquantum::exec
