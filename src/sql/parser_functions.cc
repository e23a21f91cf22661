// Function calls whose standard SQL spelling separates arguments with
// keywords instead of commas. Each is rewritten to the ordinary call with
// the same meaning, so later stages and the printer see one form:
//
//   POSITION(a IN b)                 -> position(a, b)
//   SUBSTRING(s FROM i [FOR n])      -> substring(s, i [, n])
//   SUBSTRING(s FOR n)               -> substring(s, 1, n)
//   TRIM([BOTH] [c] FROM s)          -> trim(s [, c])
//   TRIM(LEADING | TRAILING ...)     -> ltrim(...) | rtrim(...)
//   EXTRACT(field FROM x)            -> extract('field', x)
//
// The comma forms keep working. No form needs backtracking: each reads its
// first argument once and, when no keyword follows, leaves it in
// call->args for the caller to continue the ordinary argument list.
#include <utility>

#include "sql/internal/parser_impl.h"

namespace neuroquantum::sql::internal {

Status ParserImpl::ParseSpecialArguments(FunctionExpr* call, bool* complete) {
  *complete = false;
  if (call->name == "position") return ParsePositionArguments(call, complete);
  if (call->name == "substring") return ParseSubstringArguments(call, complete);
  if (call->name == "trim") return ParseTrimArguments(call, complete);
  if (call->name == "extract") return ParseExtractArguments(call, complete);
  return Status::OK();
}

Status ParserImpl::ParsePositionArguments(FunctionExpr* call, bool* complete) {
  if (PeekKeyword(Keyword::kNot)) return Status::OK();  // an ordinary argument
  // The needle is read above the IN level, then either IN follows or the
  // rest of an ordinary expression does.
  NQ_ASSIGN_OR_RETURN(ExprPtr needle, ParseRelational());
  if (AcceptKeyword(Keyword::kIn)) {
    NQ_ASSIGN_OR_RETURN(ExprPtr haystack, ParseExpr());
    call->args.push_back(std::move(needle));
    call->args.push_back(std::move(haystack));
    *complete = true;
    return Status::OK();
  }
  NQ_ASSIGN_OR_RETURN(needle, ParseEqualityRest(std::move(needle)));
  NQ_ASSIGN_OR_RETURN(needle, ParseAndRest(std::move(needle)));
  NQ_ASSIGN_OR_RETURN(needle, ParseOrRest(std::move(needle)));
  call->args.push_back(std::move(needle));
  return Status::OK();
}

Status ParserImpl::ParseSubstringArguments(FunctionExpr* call, bool* complete) {
  NQ_ASSIGN_OR_RETURN(ExprPtr text, ParseExpr());
  call->args.push_back(std::move(text));
  if (!PeekKeyword(Keyword::kFrom) && !PeekKeyword(Keyword::kFor)) return Status::OK();
  ExprPtr start, length;
  SourcePos pos = Peek().pos;
  if (AcceptKeyword(Keyword::kFrom)) {
    NQ_ASSIGN_OR_RETURN(start, ParseExpr());
  }
  if (AcceptKeyword(Keyword::kFor)) {
    NQ_ASSIGN_OR_RETURN(length, ParseExpr());
  }
  if (!start && AcceptKeyword(Keyword::kFrom)) {  // FOR n FROM i
    NQ_ASSIGN_OR_RETURN(start, ParseExpr());
  }
  if (!start) {  // SUBSTRING(s FOR n) starts at the first character
    auto one = std::make_unique<LiteralExpr>();
    one->pos = pos;
    one->literal = LiteralKind::kInteger;
    one->text = "1";
    one->int_value = 1;
    start = std::move(one);
  }
  call->args.push_back(std::move(start));
  if (length) call->args.push_back(std::move(length));
  *complete = true;
  return Status::OK();
}

Status ParserImpl::ParseTrimArguments(FunctionExpr* call, bool* complete) {
  // BOTH/LEADING/TRAILING are not reserved: `trim(both)` is a column.
  Keyword side = Peek().keyword;
  bool has_side = (side == Keyword::kBoth || side == Keyword::kLeading ||
                   side == Keyword::kTrailing) &&
                  Peek(1).kind != TokenKind::kRParen && Peek(1).kind != TokenKind::kComma;
  if (has_side) {
    Advance();
    call->name = side == Keyword::kLeading ? "ltrim" : side == Keyword::kTrailing ? "rtrim" : "trim";
  }
  ExprPtr characters;
  if (!AcceptKeyword(Keyword::kFrom)) {
    NQ_ASSIGN_OR_RETURN(ExprPtr first, ParseExpr());
    if (!AcceptKeyword(Keyword::kFrom)) {
      if (has_side) return ErrorExpected("FROM");
      call->args.push_back(std::move(first));  // trim(s [, characters])
      return Status::OK();
    }
    characters = std::move(first);
  }
  NQ_ASSIGN_OR_RETURN(ExprPtr text, ParseExpr());
  call->args.push_back(std::move(text));
  if (characters) call->args.push_back(std::move(characters));
  *complete = true;
  return Status::OK();
}

Status ParserImpl::ParseExtractArguments(FunctionExpr* call, bool* complete) {
  if (Peek().kind != TokenKind::kIdentifier || !PeekKeyword(Keyword::kFrom, 1)) {
    return Status::OK();
  }
  auto field = std::make_unique<LiteralExpr>();
  field->pos = Peek().pos;
  field->literal = LiteralKind::kString;
  field->text = Advance().value;  // lower case: year, month, epoch, ...
  Advance();                      // FROM
  NQ_ASSIGN_OR_RETURN(ExprPtr source, ParseExpr());
  call->args.push_back(std::move(field));
  call->args.push_back(std::move(source));
  *complete = true;
  return Status::OK();
}

}  // namespace neuroquantum::sql::internal
