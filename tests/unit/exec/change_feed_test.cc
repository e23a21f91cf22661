// The decoded change feed: Database::SubscribeChanges delivers committed
// row changes of tables, decoded, in commit order, on its own thread.
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "unit/exec/sql_test_util.h"

namespace neuroquantum::testing {
namespace {

using namespace std::chrono_literals;

// "{id=1 name=a}"; NULL prints as NULL.
std::string Values(const ResultSet& rs) {
  std::string out = "{";
  for (size_t i = 0; i < rs.column_count(); ++i) {
    if (i) out += " ";
    out += rs.column_name(i) + "=" + (rs.IsNull(i) ? "NULL" : rs.GetText(i));
  }
  return out + "}";
}

// "items update {id=1 name=a} -> {id=1 name=b}"
std::string Describe(const RowChange& c) {
  const char* kind = c.kind == ChangeKind::kInsert ? "insert" : c.kind == ChangeKind::kUpdate ? "update" : "delete";
  std::string out = c.table + " " + kind;
  if (c.before.column_count() > 0) out += " " + Values(c.before);
  if (c.before.column_count() > 0 && c.after.column_count() > 0) out += " ->";
  if (c.after.column_count() > 0) out += " " + Values(c.after);
  return out;
}

struct Delivered {
  uint64_t txn_id = 0;
  uint64_t commit_lsn = 0;
  std::vector<std::string> changes;
  std::vector<std::string> types;  // column types of the first change's row
};

// Keeps what a listener saw (the ResultSets are readable only during the
// call) and lets the test wait for it.
class Collector {
 public:
  void Add(const CommittedTransaction& t) {
    Delivered d;
    d.txn_id = t.txn_id;
    d.commit_lsn = t.commit_lsn;
    for (const RowChange& c : t.changes) d.changes.push_back(Describe(c));
    if (!t.changes.empty()) {
      const ResultSet& rs = t.changes[0].after.column_count() > 0 ? t.changes[0].after : t.changes[0].before;
      for (size_t i = 0; i < rs.column_count(); ++i) d.types.push_back(rs.column_type(i));
    }
    std::lock_guard lock(mu_);
    got_.push_back(std::move(d));
    cv_.notify_all();
  }
  // True once `n` transactions arrived (within a generous limit).
  bool WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return got_.size() >= n; });
  }
  std::vector<Delivered> got() {
    std::lock_guard lock(mu_);
    return got_;
  }
  size_t count() {
    std::lock_guard lock(mu_);
    return got_.size();
  }
  std::function<void(const CommittedTransaction&)> Listener() {
    return [this](const CommittedTransaction& t) { Add(t); };
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Delivered> got_;
};

class ChangeFeedTest : public SqlTest {
 protected:
  std::unique_ptr<ChangeSubscription> Subscribe(Collector* collector) {
    auto sub = db_->SubscribeChanges(collector->Listener());
    EXPECT_TRUE(sub.ok()) << sub.status().ToString();
    return sub.ok() ? std::move(sub).value() : nullptr;
  }
};

TEST_F(ChangeFeedTest, InsertUpdateDeleteAreDecoded) {
  Ok("CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, price DOUBLE)");
  Ok("INSERT INTO items VALUES (9, 'before the subscription', 0)");
  Collector c;
  auto sub = Subscribe(&c);
  Ok("CREATE TABLE other(x INTEGER)");  // DDL alone delivers nothing
  Ok("INSERT INTO items VALUES (1, 'a', 1.5)");
  Ok("UPDATE items SET name = 'b' WHERE id = 1");
  Ok("DELETE FROM items WHERE id = 1");
  ASSERT_TRUE(c.WaitFor(3));
  auto got = c.got();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].changes, std::vector<std::string>{"items insert {id=1 name=a price=1.5}"});
  EXPECT_EQ(got[0].types, (std::vector<std::string>{"BIGINT", "TEXT", "DOUBLE PRECISION"}));
  EXPECT_EQ(got[1].changes,
            std::vector<std::string>{"items update {id=1 name=a price=1.5} -> {id=1 name=b price=1.5}"});
  EXPECT_EQ(got[2].changes, std::vector<std::string>{"items delete {id=1 name=b price=1.5}"});
}

TEST_F(ChangeFeedTest, RolledBackWorkIsNotDelivered) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY)");
  Ok("INSERT INTO t VALUES (1)");
  Collector c;
  auto sub = Subscribe(&c);
  Ok("BEGIN");
  Ok("INSERT INTO t VALUES (2)");
  Ok("ROLLBACK");
  EXPECT_EQ(Run("INSERT INTO t VALUES (3), (1)"), "error 23505");  // writes 3, then fails
  Ok("INSERT INTO t VALUES (4)");
  // Delivery is in commit order: once the last insert arrived, anything
  // before it would have.
  ASSERT_TRUE(c.WaitFor(1));
  auto got = c.got();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].changes, std::vector<std::string>{"t insert {id=4}"});
}

TEST_F(ChangeFeedTest, ConnectionsAreDeliveredInCommitOrder) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, who TEXT)");
  auto other = db_->Connect();
  Collector c;
  auto sub = Subscribe(&c);
  for (int i = 0; i < 10; ++i) {
    Connection* conn = i % 2 == 0 ? conn_.get() : other.get();
    EXPECT_EQ(Run(conn, "INSERT INTO t VALUES (" + std::to_string(i) + ", '" + (i % 2 ? "b" : "a") + "')"), "");
  }
  ASSERT_TRUE(c.WaitFor(10));
  auto got = c.got();
  ASSERT_EQ(got.size(), 10u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].changes,
              std::vector<std::string>{"t insert {id=" + std::to_string(i) + " who=" + (i % 2 ? "b" : "a") + "}"});
    if (i > 0) {
      EXPECT_GT(got[i].commit_lsn, got[i - 1].commit_lsn);
      EXPECT_NE(got[i].txn_id, got[i - 1].txn_id);
    }
  }
}

TEST_F(ChangeFeedTest, ConcurrentCommitsAreDeliveredOnceInLsnOrder) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, who INTEGER)");
  Collector c;
  auto sub = Subscribe(&c);
  constexpr int kPerThread = 30;
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      auto conn = db_->Connect();
      for (int i = 0; i < kPerThread; ++i) {
        EXPECT_EQ(Run(conn.get(), "INSERT INTO t VALUES (" + std::to_string(w * 1000 + i) + ", " +
                                      std::to_string(w) + ")"),
                  "");
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(c.WaitFor(2 * kPerThread));
  auto got = c.got();
  ASSERT_EQ(got.size(), 2u * kPerThread);
  int next[2] = {0, 0};
  for (size_t i = 0; i < got.size(); ++i) {
    if (i > 0) {
      EXPECT_GT(got[i].commit_lsn, got[i - 1].commit_lsn);
    }
    ASSERT_EQ(got[i].changes.size(), 1u);
    // Each connection's inserts arrive in the order it made them.
    int w = got[i].changes[0].find("who=1") != std::string::npos ? 1 : 0;
    EXPECT_EQ(got[i].changes[0],
              "t insert {id=" + std::to_string(w * 1000 + next[w]) + " who=" + std::to_string(w) + "}");
    ++next[w];
  }
}

TEST_F(ChangeFeedTest, ATransactionIsDeliveredWhole) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
  Ok("INSERT INTO t VALUES (1, 'old')");
  Collector c;
  auto sub = Subscribe(&c);
  Ok("BEGIN");
  Ok("INSERT INTO t VALUES (3, 'x'), (2, 'y')");
  Ok("UPDATE t SET v = 'new' WHERE id = 1");
  Ok("UPDATE t SET v = 'z' WHERE id = 3");  // a row written twice: its net change
  Ok("COMMIT");
  ASSERT_TRUE(c.WaitFor(1));
  auto got = c.got();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].changes, (std::vector<std::string>{"t insert {id=3 v=z}", "t insert {id=2 v=y}",
                                                       "t update {id=1 v=old} -> {id=1 v=new}"}));
}

TEST_F(ChangeFeedTest, AddedColumnsShowInLaterChanges) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT)");
  Ok("INSERT INTO t VALUES (1, 'x')");
  Collector c;
  auto sub = Subscribe(&c);
  Ok("ALTER TABLE t ADD COLUMN b INTEGER DEFAULT 7");
  Ok("UPDATE t SET a = 'y' WHERE id = 1");
  ASSERT_TRUE(c.WaitFor(2));
  auto got = c.got();
  ASSERT_EQ(got.size(), 2u);
  // The ALTER rewrites the stored rows: an update whose "before" lacks the
  // new column (NULL, as a read of the old record gives).
  EXPECT_EQ(got[0].changes, std::vector<std::string>{"t update {id=1 a=x b=NULL} -> {id=1 a=x b=7}"});
  EXPECT_EQ(got[1].changes, std::vector<std::string>{"t update {id=1 a=x b=7} -> {id=1 a=y b=7}"});
  EXPECT_EQ(got[1].types, (std::vector<std::string>{"BIGINT", "TEXT", "BIGINT"}));
}

TEST_F(ChangeFeedTest, RowsOfADroppedTableStillDecode) {
  Ok("CREATE TABLE gone(id INTEGER PRIMARY KEY, v TEXT)");
  Ok("INSERT INTO gone VALUES (1, 'a')");
  Collector c;
  auto sub = Subscribe(&c);
  Ok("DROP TABLE gone");
  ASSERT_TRUE(c.WaitFor(1));
  auto got = c.got();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].changes, std::vector<std::string>{"gone delete {id=1 v=a}"});
}

TEST_F(ChangeFeedTest, IndexEntriesAddNoEvents) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY, email TEXT UNIQUE, n INTEGER)");
  Ok("CREATE INDEX t_n ON t(n)");
  Collector c;
  auto sub = Subscribe(&c);
  Ok("INSERT INTO t VALUES (1, 'a@x', 5)");
  Ok("UPDATE t SET n = 6, email = 'b@x' WHERE id = 1");
  ASSERT_TRUE(c.WaitFor(2));
  auto got = c.got();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].changes, std::vector<std::string>{"t insert {id=1 email=a@x n=5}"});
  EXPECT_EQ(got[1].changes, std::vector<std::string>{"t update {id=1 email=a@x n=5} -> {id=1 email=b@x n=6}"});
}

TEST_F(ChangeFeedTest, EverySubscriberGetsEverythingUntilItUnsubscribes) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY)");
  Collector first, second;
  auto sub1 = Subscribe(&first);
  auto sub2 = Subscribe(&second);
  Ok("INSERT INTO t VALUES (1)");
  Ok("INSERT INTO t VALUES (2)");
  ASSERT_TRUE(first.WaitFor(2));
  ASSERT_TRUE(second.WaitFor(2));
  EXPECT_EQ(first.got()[1].changes, second.got()[1].changes);
  sub1.reset();
  Ok("INSERT INTO t VALUES (3)");
  // Subscribers are called one after the other for each transaction: the
  // first would have had it before the second did.
  ASSERT_TRUE(second.WaitFor(3));
  EXPECT_EQ(second.got()[2].changes, std::vector<std::string>{"t insert {id=3}"});
  EXPECT_EQ(first.count(), 2u);
}

TEST_F(ChangeFeedTest, AListenerMayEndItsOwnSubscription) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY)");
  Collector once;
  std::mutex mu;
  std::unique_ptr<ChangeSubscription> own;
  auto sub = db_->SubscribeChanges([&](const CommittedTransaction& t) {
    once.Add(t);
    std::lock_guard lock(mu);
    own.reset();  // the last subscription: stops the delivery thread
  });
  ASSERT_TRUE(sub.ok());
  {
    std::lock_guard lock(mu);
    own = std::move(sub).value();
  }
  Ok("INSERT INTO t VALUES (1)");
  ASSERT_TRUE(once.WaitFor(1));
  // A new subscription starts delivery again; the ended one gets nothing.
  Collector later;
  auto sub2 = Subscribe(&later);
  Ok("INSERT INTO t VALUES (2)");
  ASSERT_TRUE(later.WaitFor(1));
  EXPECT_EQ(later.got()[0].changes, std::vector<std::string>{"t insert {id=2}"});
  EXPECT_EQ(once.count(), 1u);
  std::lock_guard lock(mu);
  EXPECT_EQ(own, nullptr);
}

TEST_F(ChangeFeedTest, AListenerMayReplaceItsOwnSubscription) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY)");
  Collector first, second;
  std::mutex mu;
  std::unique_ptr<ChangeSubscription> current;
  std::promise<void> replaced;
  auto sub = db_->SubscribeChanges([&](const CommittedTransaction& t) {
    first.Add(t);
    std::lock_guard lock(mu);
    if (!current) return;
    current.reset();  // the last subscription: delivery stops ...
    auto next = db_->SubscribeChanges(second.Listener());  // ... and goes on, on this thread
    EXPECT_TRUE(next.ok());
    if (next.ok()) current = std::move(next).value();
    replaced.set_value();
  });
  ASSERT_TRUE(sub.ok());
  {
    std::lock_guard lock(mu);
    current = std::move(sub).value();
  }
  Ok("INSERT INTO t VALUES (1)");
  ASSERT_EQ(replaced.get_future().wait_for(10s), std::future_status::ready);
  Ok("INSERT INTO t VALUES (2)");
  ASSERT_TRUE(second.WaitFor(1));
  EXPECT_EQ(second.got()[0].changes, std::vector<std::string>{"t insert {id=2}"});
  EXPECT_EQ(first.count(), 1u);
  std::unique_ptr<ChangeSubscription> last;
  {
    std::lock_guard lock(mu);
    last = std::move(current);
  }
  ASSERT_NE(last, nullptr);
  last.reset();  // outside `mu`: ending the subscription joins the delivery thread
}

TEST_F(ChangeFeedTest, ASubscriptionMayOutliveTheDatabase) {
  Ok("CREATE TABLE t(id INTEGER PRIMARY KEY)");
  Collector c;
  auto sub = Subscribe(&c);
  Ok("INSERT INTO t VALUES (1)");
  ASSERT_TRUE(c.WaitFor(1));
  conn_.reset();
  db_.reset();  // stops delivery
  sub.reset();
  EXPECT_EQ(c.count(), 1u);
  // And a reopened database has a feed of its own.
  Reopen();
  auto again = Subscribe(&c);
  Ok("INSERT INTO t VALUES (2)");
  ASSERT_TRUE(c.WaitFor(2));
  EXPECT_EQ(c.got()[1].changes, std::vector<std::string>{"t insert {id=2}"});
}

}  // namespace
}  // namespace neuroquantum::testing
