// Window syntax: the OVER clause of a function call and the WINDOW clause
// of a SELECT (docs/reference/qsql.md, "Window functions").
//
//   over        := OVER name | OVER '(' spec ')'
//   spec        := [name] [PARTITION BY expr, ...] [ORDER BY item, ...] [frame]
//   frame       := (ROWS | RANGE | GROUPS) (bound | BETWEEN bound AND bound)
//                  [EXCLUDE (NO OTHERS | CURRENT ROW | GROUP | TIES)]
//   bound       := UNBOUNDED PRECEDING | UNBOUNDED FOLLOWING | CURRENT ROW
//                | expr PRECEDING | expr FOLLOWING
//   window list := WINDOW name AS '(' spec ')' [, ...]
//
// The parser accepts any pair of bounds; which pairs make sense is the
// binder's question (42P20), as is whether a named window exists.
#include <algorithm>
#include <utility>

#include "sql/internal/parser_impl.h"

namespace neuroquantum::sql::internal {

Status ParserImpl::ParseOverClause(FunctionExpr* call, uint32_t* tallest) {
  Advance();  // OVER
  auto spec = std::make_unique<WindowSpec>();
  spec->pos = Peek().pos;
  if (Accept(TokenKind::kLParen)) {
    NQ_RETURN_IF_ERROR(ParseWindowSpec(spec.get(), tallest));
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
  } else if (AtIdentifier()) {
    spec->base = Advance().value;
    spec->reference_only = true;
  } else {
    return ErrorExpected("'(' or a window name after OVER");
  }
  call->over = std::move(spec);
  return Status::OK();
}

Status ParserImpl::ParseWindowSpec(WindowSpec* spec, uint32_t* tallest) {
  NQ_SQL_NEST();
  spec->pos = Peek().pos;
  bool clause_word = PeekKeyword(Keyword::kPartition) || PeekKeyword(Keyword::kOrder) ||
                     PeekKeyword(Keyword::kRows) || PeekKeyword(Keyword::kRange) || PeekKeyword(Keyword::kGroups);
  if (AtIdentifier() && !clause_word) spec->base = Advance().value;
  if (AcceptKeyword(Keyword::kPartition)) {
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kBy, "BY"));
    NQ_RETURN_IF_ERROR(ParseExprList(&spec->partition_by));
    for (const auto& e : spec->partition_by) *tallest = std::max(*tallest, e->height);
  }
  if (PeekKeyword(Keyword::kOrder)) {
    NQ_RETURN_IF_ERROR(ParseOrderBy(&spec->order_by));
    for (const auto& o : spec->order_by) *tallest = std::max(*tallest, o.expr->height);
  }
  if (PeekKeyword(Keyword::kRows) || PeekKeyword(Keyword::kRange) || PeekKeyword(Keyword::kGroups)) {
    WindowFrame frame;
    frame.pos = Peek().pos;
    Keyword unit = Advance().keyword;
    frame.unit = unit == Keyword::kRows ? FrameUnit::kRows
                 : unit == Keyword::kRange ? FrameUnit::kRange
                                           : FrameUnit::kGroups;
    if (AcceptKeyword(Keyword::kBetween)) {
      NQ_RETURN_IF_ERROR(ParseFrameBound(&frame.start));
      NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kAnd, "AND"));
      NQ_RETURN_IF_ERROR(ParseFrameBound(&frame.end));
    } else {
      NQ_RETURN_IF_ERROR(ParseFrameBound(&frame.start));
      frame.end.kind = FrameBoundKind::kCurrentRow;
      frame.end.pos = frame.start.pos;
    }
    if (AcceptKeyword(Keyword::kExclude)) {
      if (AcceptKeyword(Keyword::kNo)) {
        NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kOthers, "OTHERS"));
        frame.exclusion = FrameExclusion::kNoOthers;
      } else if (AcceptKeyword(Keyword::kCurrent)) {
        NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kRow, "ROW"));
        frame.exclusion = FrameExclusion::kCurrentRow;
      } else if (AcceptKeyword(Keyword::kGroup)) {
        frame.exclusion = FrameExclusion::kGroup;
      } else if (AcceptKeyword(Keyword::kTies)) {
        frame.exclusion = FrameExclusion::kTies;
      } else {
        return ErrorExpected("NO OTHERS, CURRENT ROW, GROUP or TIES");
      }
    }
    *tallest = std::max({*tallest, HeightOf(frame.start.offset), HeightOf(frame.end.offset)});
    spec->frame = std::move(frame);
  }
  return Status::OK();
}

Status ParserImpl::ParseFrameBound(FrameBound* bound) {
  bound->pos = Peek().pos;
  if (AcceptKeyword(Keyword::kUnbounded)) {
    if (AcceptKeyword(Keyword::kPreceding)) {
      bound->kind = FrameBoundKind::kUnboundedPreceding;
    } else if (AcceptKeyword(Keyword::kFollowing)) {
      bound->kind = FrameBoundKind::kUnboundedFollowing;
    } else {
      return ErrorExpected("PRECEDING or FOLLOWING");
    }
    return Status::OK();
  }
  if (AcceptKeyword(Keyword::kCurrent)) {
    bound->kind = FrameBoundKind::kCurrentRow;
    return ExpectKeyword(Keyword::kRow, "ROW");
  }
  NQ_ASSIGN_OR_RETURN(bound->offset, ParseExpr());
  if (AcceptKeyword(Keyword::kPreceding)) {
    bound->kind = FrameBoundKind::kPreceding;
  } else if (AcceptKeyword(Keyword::kFollowing)) {
    bound->kind = FrameBoundKind::kFollowing;
  } else {
    return ErrorExpected("PRECEDING or FOLLOWING");
  }
  return Status::OK();
}

Status ParserImpl::ParseWindowClause(std::vector<NamedWindow>* windows, uint32_t* tallest) {
  Advance();  // WINDOW
  do {
    NamedWindow window;
    window.pos = Peek().pos;
    NQ_ASSIGN_OR_RETURN(window.name, ParseIdentifier("window name"));
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kAs, "AS"));
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "'('"));
    NQ_RETURN_IF_ERROR(ParseWindowSpec(&window.spec, tallest));
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
    windows->push_back(std::move(window));
  } while (Accept(TokenKind::kComma));
  return Status::OK();
}

}  // namespace neuroquantum::sql::internal
