// Tests for Status, Result<T> and the NQ_RETURN_IF_ERROR /
// NQ_ASSIGN_OR_RETURN propagation macros.
#include "neuroquantum/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "neuroquantum/result.h"

namespace neuroquantum {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kOk);
  EXPECT_EQ(status.message(), "");
  EXPECT_EQ(status.ToString(), "OK");
  EXPECT_TRUE(Status::OK().ok());
}

TEST(StatusTest, FactoriesSetCodeAndMessage) {
  Status status = Status::Corruption("bad page 7");
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(status.IsCorruption());
  EXPECT_FALSE(status.IsNotFound());
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_EQ(status.message(), "bad page 7");
  EXPECT_TRUE(Status::NotFound("x").IsNotFound());
  EXPECT_TRUE(Status::IOError("x").IsIOError());
  EXPECT_EQ(Status::Busy("x").code(), StatusCode::kBusy);
  EXPECT_EQ(Status::NoSpace("x").code(), StatusCode::kNoSpace);
  EXPECT_EQ(Status::TimedOut("x").code(), StatusCode::kTimedOut);
}

TEST(StatusTest, OkCodeWithMessageIsOk) {
  Status status(StatusCode::kOk, "ignored");
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.message(), "");
}

TEST(StatusTest, ToStringPrefixesCodeName) {
  EXPECT_EQ(Status::NoSpace("disk full").ToString(), "NoSpace: disk full");
  EXPECT_EQ(Status::InvalidArgument("bad").ToString(), "InvalidArgument: bad");
}

TEST(StatusTest, CodeNamesAreStable) {
  EXPECT_EQ(StatusCodeName(StatusCode::kOk), "OK");
  EXPECT_EQ(StatusCodeName(StatusCode::kNotFound), "NotFound");
  EXPECT_EQ(StatusCodeName(StatusCode::kReadOnly), "ReadOnly");
  EXPECT_EQ(StatusCodeName(StatusCode::kTimedOut), "TimedOut");
  EXPECT_EQ(StatusCodeName(StatusCode::kDeadlock), "Deadlock");
  EXPECT_EQ(Status::Deadlock("x").code(), StatusCode::kDeadlock);
  EXPECT_EQ(StatusCodeName(static_cast<StatusCode>(200)), "Unknown");
}

TEST(StatusTest, SqlStatesOfTransactionErrors) {
  EXPECT_EQ(SqlState(StatusCode::kOk), "00000");
  EXPECT_EQ(SqlState(StatusCode::kDeadlock), "40P01");
  EXPECT_EQ(SqlState(StatusCode::kSerializationFailure), "40001");
  EXPECT_EQ(SqlState(StatusCode::kReadOnlyTransaction), "25006");
  EXPECT_EQ(SqlState(StatusCode::kTimedOut), "55P03");
  EXPECT_EQ(StatusCodeName(StatusCode::kSerializationFailure), "SerializationFailure");
  EXPECT_EQ(SqlState(static_cast<StatusCode>(200)), "XX000");
}

TEST(StatusTest, SpecificSqlStateTravelsWithContext) {
  Status s = Status::OutOfRange("integer out of range").WithSqlState("22003");
  EXPECT_EQ(SqlState(s), "22003");
  Status generic = Status::InvalidArgument("bad");
  EXPECT_EQ(SqlState(generic), "22023");
  Status wrapped = Status::InvalidArgument("x").WithSqlState("22P02").WithContext("column a");
  EXPECT_EQ(SqlState(wrapped), "22P02");
  EXPECT_EQ(wrapped.message(), "column a: x");
  EXPECT_TRUE(Status::OK().WithSqlState("22003").ok());
  Status copy = wrapped;
  EXPECT_EQ(copy.sqlstate(), "22P02");
}

TEST(StatusTest, WithContextPrependsAndKeepsCode) {
  Status status = Status::IOError("EIO").WithContext("write wal");
  EXPECT_TRUE(status.IsIOError());
  EXPECT_EQ(status.message(), "write wal: EIO");
  EXPECT_TRUE(Status::OK().WithContext("ctx").ok());
}

TEST(StatusTest, CopyIsDeep) {
  Status original = Status::Aborted("deadlock");
  Status copy = original;
  EXPECT_EQ(copy.ToString(), original.ToString());
  original = Status::OK();
  EXPECT_EQ(copy.ToString(), "Aborted: deadlock");
  Status assigned;
  assigned = copy;
  EXPECT_EQ(assigned.code(), StatusCode::kAborted);
}

TEST(StatusTest, MoveTransfersError) {
  Status source = Status::Internal("bug");
  Status target = std::move(source);
  EXPECT_EQ(target.code(), StatusCode::kInternal);
  EXPECT_EQ(target.message(), "bug");
}

TEST(ResultTest, HoldsValue) {
  Result<int> result = 42;
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.status().ok());
  EXPECT_EQ(*result, 42);
  EXPECT_EQ(result.value(), 42);
}

TEST(ResultTest, HoldsError) {
  Result<int> result = Status::NotFound("no row");
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(result.status().IsNotFound());
  EXPECT_EQ(result.status().message(), "no row");
}

TEST(ResultTest, ArrowAccessesMembers) {
  Result<std::string> result = std::string("abc");
  EXPECT_EQ(result->size(), 3u);
}

TEST(ResultTest, MoveOnlyValue) {
  Result<std::unique_ptr<int>> result = std::make_unique<int>(5);
  std::unique_ptr<int> owned = std::move(result).value();
  ASSERT_NE(owned, nullptr);
  EXPECT_EQ(*owned, 5);
}

Status FailIf(bool fail) { return fail ? Status::Busy("locked") : Status::OK(); }

Status TwoSteps(bool fail_first, bool fail_second, int* steps) {
  NQ_RETURN_IF_ERROR(FailIf(fail_first));
  ++*steps;
  NQ_RETURN_IF_ERROR(FailIf(fail_second));
  ++*steps;
  return Status::OK();
}

TEST(StatusMacrosTest, ReturnIfErrorPassesOk) {
  int steps = 0;
  EXPECT_TRUE(TwoSteps(false, false, &steps).ok());
  EXPECT_EQ(steps, 2);
}

TEST(StatusMacrosTest, ReturnIfErrorStopsAtFirstError) {
  int steps = 0;
  Status status = TwoSteps(false, true, &steps);
  EXPECT_EQ(status.code(), StatusCode::kBusy);
  EXPECT_EQ(steps, 1);
}

Result<int> Parse(bool fail) {
  if (fail) return Status::InvalidArgument("not a number");
  return 7;
}

Result<int> DoubleParsed(bool fail) {
  NQ_ASSIGN_OR_RETURN(int value, Parse(fail));
  return value * 2;
}

TEST(StatusMacrosTest, AssignOrReturnDeclares) {
  Result<int> result = DoubleParsed(false);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, 14);
}

TEST(StatusMacrosTest, AssignOrReturnPropagatesError) {
  Result<int> result = DoubleParsed(true);
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "not a number");
}

Result<std::unique_ptr<int>> MakeBox(bool fail) {
  if (fail) return Status::NoSpace("full");
  return std::make_unique<int>(3);
}

// Two uses on different lines, one into an existing variable, and a
// Status-returning caller.
Status SumBoxes(bool fail_second, int* sum) {
  NQ_ASSIGN_OR_RETURN(std::unique_ptr<int> first, MakeBox(false));
  std::unique_ptr<int> second;
  NQ_ASSIGN_OR_RETURN(second, MakeBox(fail_second));
  *sum = *first + *second;
  return Status::OK();
}

TEST(StatusMacrosTest, AssignOrReturnWorksWithMoveOnlyTypes) {
  int sum = 0;
  EXPECT_TRUE(SumBoxes(false, &sum).ok());
  EXPECT_EQ(sum, 6);
  sum = 0;
  EXPECT_EQ(SumBoxes(true, &sum).code(), StatusCode::kNoSpace);
  EXPECT_EQ(sum, 0);
}

}  // namespace
}  // namespace neuroquantum
