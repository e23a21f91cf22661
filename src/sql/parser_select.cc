// Query grammar: WITH, compound selects, SELECT cores, VALUES, FROM with
// joins, ORDER BY and LIMIT.
#include <algorithm>
#include <utility>

#include "sql/internal/parser_impl.h"

namespace neuroquantum::sql::internal {
namespace {

uint32_t TallestItem(const std::vector<SelectItem>& items) {
  uint32_t tallest = 0;
  for (const auto& item : items) {
    if (item.expr) tallest = std::max(tallest, item.expr->height);
  }
  return tallest;
}

uint32_t TallestExpr(const std::vector<ExprPtr>& exprs) {
  uint32_t tallest = 0;
  for (const auto& e : exprs) tallest = std::max(tallest, e->height);
  return tallest;
}

}  // namespace

bool ParserImpl::AtQueryStart() const {
  return PeekKeyword(Keyword::kSelect) || PeekKeyword(Keyword::kValues) ||
         PeekKeyword(Keyword::kWith);
}

Result<QueryPtr> ParserImpl::ParseQuery() {
  NQ_SQL_NEST();
  SourcePos pos = Peek().pos;
  std::optional<WithClause> with;
  if (PeekKeyword(Keyword::kWith)) {
    NQ_ASSIGN_OR_RETURN(with, ParseWith());
  }
  return ParseQueryAfterWith(std::move(with), pos);
}

Result<QueryPtr> ParserImpl::ParseQueryAfterWith(std::optional<WithClause> with, SourcePos pos) {
  auto query = std::make_unique<Query>();
  query->pos = pos;
  query->with = std::move(with);
  NQ_ASSIGN_OR_RETURN(query->body, ParseUnionLevel());
  if (PeekKeyword(Keyword::kOrder)) NQ_RETURN_IF_ERROR(ParseOrderBy(&query->order_by));
  if (PeekKeyword(Keyword::kLimit) || PeekKeyword(Keyword::kOffset)) {
    NQ_RETURN_IF_ERROR(ParseLimit(query.get()));
  }
  uint32_t tallest = std::max({query->body->height, HeightOf(query->limit), HeightOf(query->offset)});
  for (const auto& item : query->order_by) tallest = std::max(tallest, item.expr->height);
  if (query->with) {
    for (const auto& cte : query->with->ctes) tallest = std::max(tallest, cte.query->height);
  }
  NQ_RETURN_IF_ERROR(SetHeight(query.get(), tallest));
  return query;
}

Result<WithClause> ParserImpl::ParseWith() {
  WithClause with;
  with.pos = Advance().pos;  // WITH
  with.recursive = AcceptKeyword(Keyword::kRecursive);
  do {
    CommonTableExpr cte;
    cte.pos = Peek().pos;
    NQ_ASSIGN_OR_RETURN(cte.name, ParseIdentifier("common table expression name"));
    if (Peek().kind == TokenKind::kLParen) {
      NQ_RETURN_IF_ERROR(ParseIdentifierList(&cte.columns, "column name"));
    }
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kAs, "AS"));
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "'('"));
    if (!AtQueryStart()) return ErrorExpected("a query");
    NQ_ASSIGN_OR_RETURN(cte.query, ParseQuery());
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
    with.ctes.push_back(std::move(cte));
  } while (Accept(TokenKind::kComma));
  return with;
}

Result<QueryBodyPtr> ParserImpl::ParseUnionLevel() {
  NQ_ASSIGN_OR_RETURN(QueryBodyPtr left, ParseIntersectLevel());
  while (PeekKeyword(Keyword::kUnion) || PeekKeyword(Keyword::kExcept)) {
    auto node = std::make_unique<SetOpBody>();
    node->pos = Peek().pos;
    node->op = Advance().Is(Keyword::kUnion) ? SetOpKind::kUnion : SetOpKind::kExcept;
    node->all = AcceptKeyword(Keyword::kAll);
    if (!node->all) AcceptKeyword(Keyword::kDistinct);
    node->left = std::move(left);
    NQ_ASSIGN_OR_RETURN(node->right, ParseIntersectLevel());
    NQ_RETURN_IF_ERROR(SetHeight(node.get(), std::max(node->left->height, node->right->height)));
    left = std::move(node);
  }
  return left;
}

Result<QueryBodyPtr> ParserImpl::ParseIntersectLevel() {
  NQ_ASSIGN_OR_RETURN(QueryBodyPtr left, ParseSetOperand());
  while (PeekKeyword(Keyword::kIntersect)) {
    auto node = std::make_unique<SetOpBody>();
    node->pos = Advance().pos;
    node->op = SetOpKind::kIntersect;
    node->all = AcceptKeyword(Keyword::kAll);
    if (!node->all) AcceptKeyword(Keyword::kDistinct);
    node->left = std::move(left);
    NQ_ASSIGN_OR_RETURN(node->right, ParseSetOperand());
    NQ_RETURN_IF_ERROR(SetHeight(node.get(), std::max(node->left->height, node->right->height)));
    left = std::move(node);
  }
  return left;
}

Result<QueryBodyPtr> ParserImpl::ParseSetOperand() {
  if (PeekKeyword(Keyword::kSelect)) return ParseSelectCore();
  if (PeekKeyword(Keyword::kValues)) return ParseValues();
  if (Peek().kind != TokenKind::kLParen) return ErrorExpected("SELECT, VALUES or '('");
  SourcePos pos = Advance().pos;
  if (!AtQueryStart() && Peek().kind != TokenKind::kLParen) {
    return ErrorExpected("SELECT, VALUES or WITH");
  }
  NQ_ASSIGN_OR_RETURN(QueryPtr inner, ParseQuery());
  NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
  // Parentheses around a plain operand only group; keep a nested query
  // only when it has clauses of its own.
  if (!inner->with && inner->order_by.empty() && !inner->limit && !inner->offset) {
    return std::move(inner->body);
  }
  auto node = std::make_unique<NestedBody>();
  node->pos = pos;
  uint32_t height = inner->height;
  node->query = std::move(inner);
  NQ_RETURN_IF_ERROR(SetHeight(node.get(), height));
  return QueryBodyPtr(std::move(node));
}

Result<QueryBodyPtr> ParserImpl::ParseSelectCore() {
  auto core = std::make_unique<SelectCore>();
  core->pos = Advance().pos;  // SELECT
  if (AcceptKeyword(Keyword::kDistinct)) {
    core->distinct = true;
  } else {
    AcceptKeyword(Keyword::kAll);
  }
  NQ_RETURN_IF_ERROR(ParseSelectList(&core->items));
  uint32_t tallest = TallestItem(core->items);
  if (AcceptKeyword(Keyword::kFrom)) {
    NQ_RETURN_IF_ERROR(ParseFromList(&core->from));
    for (const auto& ref : core->from) tallest = std::max(tallest, ref->height);
  }
  if (AcceptKeyword(Keyword::kWhere)) {
    NQ_ASSIGN_OR_RETURN(core->where, ParseExpr());
  }
  if (AcceptKeyword(Keyword::kGroup)) {
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kBy, "BY"));
    NQ_RETURN_IF_ERROR(ParseExprList(&core->group_by));
  }
  if (AcceptKeyword(Keyword::kHaving)) {
    NQ_ASSIGN_OR_RETURN(core->having, ParseExpr());
  }
  if (PeekKeyword(Keyword::kWindow)) {
    NQ_RETURN_IF_ERROR(ParseWindowClause(&core->windows, &tallest));
  }
  tallest = std::max({tallest, HeightOf(core->where), HeightOf(core->having),
                      TallestExpr(core->group_by)});
  NQ_RETURN_IF_ERROR(SetHeight(core.get(), tallest));
  return QueryBodyPtr(std::move(core));
}

Result<QueryBodyPtr> ParserImpl::ParseValues() {
  auto values = std::make_unique<ValuesBody>();
  values->pos = Advance().pos;  // VALUES
  uint32_t tallest = 0;
  do {
    SourcePos row_pos = Peek().pos;
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "'('"));
    std::vector<ExprPtr> row;
    NQ_RETURN_IF_ERROR(ParseExprList(&row));
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "',' or ')'"));
    if (!values->rows.empty() && row.size() != values->rows.front().size()) {
      return ErrorAt(row_pos, "all VALUES rows must have the same number of values");
    }
    tallest = std::max(tallest, TallestExpr(row));
    values->rows.push_back(std::move(row));
  } while (Accept(TokenKind::kComma));
  NQ_RETURN_IF_ERROR(SetHeight(values.get(), tallest));
  return QueryBodyPtr(std::move(values));
}

Status ParserImpl::ParseSelectList(std::vector<SelectItem>* items) {
  do {
    NQ_ASSIGN_OR_RETURN(SelectItem item, ParseSelectItem());
    items->push_back(std::move(item));
  } while (Accept(TokenKind::kComma));
  return Status::OK();
}

Result<SelectItem> ParserImpl::ParseSelectItem() {
  SelectItem item;
  item.pos = Peek().pos;
  if (Accept(TokenKind::kStar)) {
    item.kind = SelectItemKind::kStar;
    return item;
  }
  if (AtIdentifier() && Peek(1).kind == TokenKind::kDot && Peek(2).kind == TokenKind::kStar) {
    item.kind = SelectItemKind::kTableStar;
    item.table = Advance().value;
    Advance();
    Advance();
    return item;
  }
  NQ_ASSIGN_OR_RETURN(item.expr, ParseExpr());
  NQ_ASSIGN_OR_RETURN(item.alias, ParseOptionalAlias());
  return item;
}

Status ParserImpl::ParseFromList(std::vector<TableRefPtr>* from) {
  do {
    NQ_ASSIGN_OR_RETURN(TableRefPtr ref, ParseJoinedTable());
    from->push_back(std::move(ref));
  } while (Accept(TokenKind::kComma));
  return Status::OK();
}

Result<TableRefPtr> ParserImpl::ParseJoinedTable() {
  NQ_ASSIGN_OR_RETURN(TableRefPtr left, ParseTablePrimary());
  for (;;) {
    SourcePos pos = Peek().pos;
    bool natural = AcceptKeyword(Keyword::kNatural);
    bool typed = true;  // a join type keyword was given
    JoinType type = JoinType::kInner;
    if (AcceptKeyword(Keyword::kLeft)) {
      type = JoinType::kLeft;
      AcceptKeyword(Keyword::kOuter);
    } else if (AcceptKeyword(Keyword::kRight)) {
      type = JoinType::kRight;
      AcceptKeyword(Keyword::kOuter);
    } else if (AcceptKeyword(Keyword::kFull)) {
      type = JoinType::kFull;
      AcceptKeyword(Keyword::kOuter);
    } else if (AcceptKeyword(Keyword::kCross)) {
      type = JoinType::kCross;
    } else {
      typed = AcceptKeyword(Keyword::kInner);
    }
    if (!natural && !typed && !PeekKeyword(Keyword::kJoin)) return left;
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kJoin, "JOIN"));
    auto join = std::make_unique<JoinTableRef>();
    join->pos = pos;
    join->type = type;
    join->natural = natural;
    join->left = std::move(left);
    NQ_ASSIGN_OR_RETURN(join->right, ParseTablePrimary());
    if (AcceptKeyword(Keyword::kOn)) {
      NQ_ASSIGN_OR_RETURN(join->on, ParseExpr());
    } else if (AcceptKeyword(Keyword::kUsing)) {
      NQ_RETURN_IF_ERROR(ParseIdentifierList(&join->using_columns, "column name"));
    }
    NQ_RETURN_IF_ERROR(SetHeight(
        join.get(), std::max({join->left->height, join->right->height, HeightOf(join->on)})));
    left = std::move(join);
  }
}

Result<TableRefPtr> ParserImpl::ParseTablePrimary() {
  SourcePos pos = Peek().pos;
  if (Accept(TokenKind::kLParen)) {
    NQ_SQL_NEST();
    if (AtQueryStart()) {
      auto ref = std::make_unique<SubqueryTableRef>();
      ref->pos = pos;
      NQ_ASSIGN_OR_RETURN(ref->query, ParseQuery());
      NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
      NQ_ASSIGN_OR_RETURN(ref->alias, ParseOptionalAlias());
      NQ_RETURN_IF_ERROR(SetHeight(ref.get(), ref->query->height));
      return TableRefPtr(std::move(ref));
    }
    NQ_ASSIGN_OR_RETURN(TableRefPtr inner, ParseJoinedTable());
    NQ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'"));
    return inner;
  }
  auto ref = std::make_unique<BaseTableRef>();
  ref->pos = pos;
  NQ_ASSIGN_OR_RETURN(ref->name, ParseQualifiedName("table name"));
  NQ_ASSIGN_OR_RETURN(ref->alias, ParseOptionalAlias());
  if (AcceptKeyword(Keyword::kIndexed)) {
    NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kBy, "BY"));
    NQ_ASSIGN_OR_RETURN(ref->indexed_by, ParseIdentifier("index name"));
  } else if (PeekKeyword(Keyword::kNot) && PeekKeyword(Keyword::kIndexed, 1)) {
    Advance();
    Advance();
    ref->not_indexed = true;
  }
  return TableRefPtr(std::move(ref));
}

Status ParserImpl::ParseOrderBy(std::vector<OrderItem>* items) {
  Advance();  // ORDER
  NQ_RETURN_IF_ERROR(ExpectKeyword(Keyword::kBy, "BY"));
  do {
    OrderItem item;
    item.pos = Peek().pos;
    NQ_ASSIGN_OR_RETURN(item.expr, ParseExpr());
    if (AcceptKeyword(Keyword::kAsc)) {
      item.direction = SortDirection::kAsc;
    } else if (AcceptKeyword(Keyword::kDesc)) {
      item.direction = SortDirection::kDesc;
    }
    if (AcceptKeyword(Keyword::kNulls)) {
      if (AcceptKeyword(Keyword::kFirst)) {
        item.nulls = NullsOrder::kFirst;
      } else if (AcceptKeyword(Keyword::kLast)) {
        item.nulls = NullsOrder::kLast;
      } else {
        return ErrorExpected("FIRST or LAST");
      }
    }
    items->push_back(std::move(item));
  } while (Accept(TokenKind::kComma));
  return Status::OK();
}

Status ParserImpl::ParseLimit(Query* query) {
  if (AcceptKeyword(Keyword::kLimit)) {
    NQ_ASSIGN_OR_RETURN(query->limit, ParseExpr());
    if (Accept(TokenKind::kComma)) {
      // MySQL/SQLite `LIMIT skip, count`.
      query->offset = std::move(query->limit);
      NQ_ASSIGN_OR_RETURN(query->limit, ParseExpr());
      return Status::OK();
    }
  }
  if (AcceptKeyword(Keyword::kOffset)) {
    NQ_ASSIGN_OR_RETURN(query->offset, ParseExpr());
  }
  return Status::OK();
}

}  // namespace neuroquantum::sql::internal
