#include "queries.h"

#include "fmt/format.h"

namespace neuroquantum::bench::tpch {

namespace {

// Pricing summary report.
const char* const kQ1 = R"(
select l_returnflag, l_linestatus,
       sum(l_quantity) as sum_qty,
       sum(l_extendedprice) as sum_base_price,
       sum(l_extendedprice * (1 - l_discount)) as sum_disc_price,
       sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) as sum_charge,
       avg(l_quantity) as avg_qty,
       avg(l_extendedprice) as avg_price,
       avg(l_discount) as avg_disc,
       count(*) as count_order
from lineitem
where l_shipdate <= {}
group by l_returnflag, l_linestatus
order by l_returnflag, l_linestatus)";

// Minimum cost supplier.
const char* const kQ2 = R"(
select s_acctbal, s_name, n_name, p_partkey, p_mfgr, s_address, s_phone, s_comment
from part, supplier, partsupp, nation, region
where p_partkey = ps_partkey
  and s_suppkey = ps_suppkey
  and p_size = 15
  and p_type like '%BRASS'
  and s_nationkey = n_nationkey
  and n_regionkey = r_regionkey
  and r_name = 'EUROPE'
  and ps_supplycost = (
    select min(ps_supplycost)
    from partsupp, supplier, nation, region
    where p_partkey = ps_partkey
      and s_suppkey = ps_suppkey
      and s_nationkey = n_nationkey
      and n_regionkey = r_regionkey
      and r_name = 'EUROPE')
order by s_acctbal desc, n_name, s_name, p_partkey
limit 100)";

// Shipping priority.
const char* const kQ3 = R"(
select l_orderkey, sum(l_extendedprice * (1 - l_discount)) as revenue, o_orderdate, o_shippriority
from customer, orders, lineitem
where c_mktsegment = 'BUILDING'
  and c_custkey = o_custkey
  and l_orderkey = o_orderkey
  and o_orderdate < {0}
  and l_shipdate > {0}
group by l_orderkey, o_orderdate, o_shippriority
order by revenue desc, o_orderdate
limit 10)";

// Order priority checking.
const char* const kQ4 = R"(
select o_orderpriority, count(*) as order_count
from orders
where o_orderdate >= {}
  and o_orderdate < {}
  and exists (
    select * from lineitem
    where l_orderkey = o_orderkey and l_commitdate < l_receiptdate)
group by o_orderpriority
order by o_orderpriority)";

// Local supplier volume.
const char* const kQ5 = R"(
select n_name, sum(l_extendedprice * (1 - l_discount)) as revenue
from customer, orders, lineitem, supplier, nation, region
where c_custkey = o_custkey
  and l_orderkey = o_orderkey
  and l_suppkey = s_suppkey
  and c_nationkey = s_nationkey
  and s_nationkey = n_nationkey
  and n_regionkey = r_regionkey
  and r_name = 'ASIA'
  and o_orderdate >= {}
  and o_orderdate < {}
group by n_name
order by revenue desc)";

// Forecasting revenue change.
const char* const kQ6 = R"(
select sum(l_extendedprice * l_discount) as revenue
from lineitem
where l_shipdate >= {}
  and l_shipdate < {}
  and l_discount between {}
  and l_quantity < 24)";

// Volume shipping.
const char* const kQ7 = R"(
select supp_nation, cust_nation, l_year, sum(volume) as revenue
from (
  select n1.n_name as supp_nation, n2.n_name as cust_nation,
         {} as l_year,
         l_extendedprice * (1 - l_discount) as volume
  from supplier, lineitem, orders, customer, nation n1, nation n2
  where s_suppkey = l_suppkey
    and o_orderkey = l_orderkey
    and c_custkey = o_custkey
    and s_nationkey = n1.n_nationkey
    and c_nationkey = n2.n_nationkey
    and ((n1.n_name = 'FRANCE' and n2.n_name = 'GERMANY')
      or (n1.n_name = 'GERMANY' and n2.n_name = 'FRANCE'))
    and l_shipdate between {} and {}) as shipping
group by supp_nation, cust_nation, l_year
order by supp_nation, cust_nation, l_year)";

// National market share.
const char* const kQ8 = R"(
select o_year,
       sum(case when nation = 'BRAZIL' then volume else 0 end) / sum(volume) as mkt_share
from (
  select {} as o_year,
         l_extendedprice * (1 - l_discount) as volume,
         n2.n_name as nation
  from part, supplier, lineitem, orders, customer, nation n1, nation n2, region
  where p_partkey = l_partkey
    and s_suppkey = l_suppkey
    and l_orderkey = o_orderkey
    and o_custkey = c_custkey
    and c_nationkey = n1.n_nationkey
    and n1.n_regionkey = r_regionkey
    and r_name = 'AMERICA'
    and s_nationkey = n2.n_nationkey
    and o_orderdate between {} and {}
    and p_type = 'ECONOMY ANODIZED STEEL') as all_nations
group by o_year
order by o_year)";

// Product type profit measure.
const char* const kQ9 = R"(
select nation, o_year, sum(amount) as sum_profit
from (
  select n_name as nation,
         {} as o_year,
         l_extendedprice * (1 - l_discount) - ps_supplycost * l_quantity as amount
  from part, supplier, lineitem, partsupp, orders, nation
  where s_suppkey = l_suppkey
    and ps_suppkey = l_suppkey
    and ps_partkey = l_partkey
    and p_partkey = l_partkey
    and o_orderkey = l_orderkey
    and s_nationkey = n_nationkey
    and p_name like '%green%') as profit
group by nation, o_year
order by nation, o_year desc)";

// Returned item reporting.
const char* const kQ10 = R"(
select c_custkey, c_name, sum(l_extendedprice * (1 - l_discount)) as revenue,
       c_acctbal, n_name, c_address, c_phone, c_comment
from customer, orders, lineitem, nation
where c_custkey = o_custkey
  and l_orderkey = o_orderkey
  and o_orderdate >= {}
  and o_orderdate < {}
  and l_returnflag = 'R'
  and c_nationkey = n_nationkey
group by c_custkey, c_name, c_acctbal, c_phone, n_name, c_address, c_comment
order by revenue desc
limit 20)";

// Important stock identification; {} is the fraction 0.0001 / SF.
const char* const kQ11 = R"(
select ps_partkey, sum(ps_supplycost * ps_availqty) as value
from partsupp, supplier, nation
where ps_suppkey = s_suppkey
  and s_nationkey = n_nationkey
  and n_name = 'GERMANY'
group by ps_partkey
having sum(ps_supplycost * ps_availqty) > (
  select sum(ps_supplycost * ps_availqty) * {}
  from partsupp, supplier, nation
  where ps_suppkey = s_suppkey
    and s_nationkey = n_nationkey
    and n_name = 'GERMANY')
order by value desc)";

// Shipping modes and order priority.
const char* const kQ12 = R"(
select l_shipmode,
       sum(case when o_orderpriority = '1-URGENT' or o_orderpriority = '2-HIGH'
                then 1 else 0 end) as high_line_count,
       sum(case when o_orderpriority <> '1-URGENT' and o_orderpriority <> '2-HIGH'
                then 1 else 0 end) as low_line_count
from orders, lineitem
where o_orderkey = l_orderkey
  and l_shipmode in ('MAIL', 'SHIP')
  and l_commitdate < l_receiptdate
  and l_shipdate < l_commitdate
  and l_receiptdate >= {}
  and l_receiptdate < {}
group by l_shipmode
order by l_shipmode)";

// Customer distribution.
const char* const kQ13 = R"(
select c_count, count(*) as custdist
from (
  select c_custkey, count(o_orderkey) as c_count
  from customer left outer join orders on
    c_custkey = o_custkey
    and o_comment not like '%special%requests%'
  group by c_custkey) as c_orders
group by c_count
order by custdist desc, c_count desc)";

// Promotion effect.
const char* const kQ14 = R"(
select 100.00 * sum(case when p_type like 'PROMO%'
                         then l_extendedprice * (1 - l_discount)
                         else 0 end) / sum(l_extendedprice * (1 - l_discount)) as promo_revenue
from lineitem, part
where l_partkey = p_partkey
  and l_shipdate >= {}
  and l_shipdate < {})";

// Top supplier; the specification's view revenue0 as a WITH query.
const char* const kQ15 = R"(
with revenue0 (supplier_no, total_revenue) as (
  select l_suppkey, sum(l_extendedprice * (1 - l_discount))
  from lineitem
  where l_shipdate >= {}
    and l_shipdate < {}
  group by l_suppkey)
select s_suppkey, s_name, s_address, s_phone, total_revenue
from supplier, revenue0
where s_suppkey = supplier_no
  and total_revenue = (select max(total_revenue) from revenue0)
order by s_suppkey)";

// Parts/supplier relationship.
const char* const kQ16 = R"(
select p_brand, p_type, p_size, count(distinct ps_suppkey) as supplier_cnt
from partsupp, part
where p_partkey = ps_partkey
  and p_brand <> 'Brand#45'
  and p_type not like 'MEDIUM POLISHED%'
  and p_size in (49, 14, 23, 45, 19, 3, 36, 9)
  and ps_suppkey not in (
    select s_suppkey from supplier where s_comment like '%Customer%Complaints%')
group by p_brand, p_type, p_size
order by supplier_cnt desc, p_brand, p_type, p_size)";

// Small-quantity-order revenue.
const char* const kQ17 = R"(
select sum(l_extendedprice) / 7.0 as avg_yearly
from lineitem, part
where p_partkey = l_partkey
  and p_brand = 'Brand#23'
  and p_container = 'MED BOX'
  and l_quantity < (
    select 0.2 * avg(l_quantity) from lineitem where l_partkey = p_partkey))";

// Large volume customer.
const char* const kQ18 = R"(
select c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice, sum(l_quantity)
from customer, orders, lineitem
where o_orderkey in (
    select l_orderkey from lineitem group by l_orderkey having sum(l_quantity) > 300)
  and c_custkey = o_custkey
  and o_orderkey = l_orderkey
group by c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice
order by o_totalprice desc, o_orderdate
limit 100)";

// Discounted revenue.
const char* const kQ19 = R"(
select sum(l_extendedprice * (1 - l_discount)) as revenue
from lineitem, part
where (p_partkey = l_partkey
       and p_brand = 'Brand#12'
       and p_container in ('SM CASE', 'SM BOX', 'SM PACK', 'SM PKG')
       and l_quantity >= 1 and l_quantity <= 1 + 10
       and p_size between 1 and 5
       and l_shipmode in ('AIR', 'AIR REG')
       and l_shipinstruct = 'DELIVER IN PERSON')
   or (p_partkey = l_partkey
       and p_brand = 'Brand#23'
       and p_container in ('MED BAG', 'MED BOX', 'MED PKG', 'MED PACK')
       and l_quantity >= 10 and l_quantity <= 10 + 10
       and p_size between 1 and 10
       and l_shipmode in ('AIR', 'AIR REG')
       and l_shipinstruct = 'DELIVER IN PERSON')
   or (p_partkey = l_partkey
       and p_brand = 'Brand#34'
       and p_container in ('LG CASE', 'LG BOX', 'LG PACK', 'LG PKG')
       and l_quantity >= 20 and l_quantity <= 20 + 10
       and p_size between 1 and 15
       and l_shipmode in ('AIR', 'AIR REG')
       and l_shipinstruct = 'DELIVER IN PERSON'))";

// Potential part promotion.
const char* const kQ20 = R"(
select s_name, s_address
from supplier, nation
where s_suppkey in (
    select ps_suppkey from partsupp
    where ps_partkey in (select p_partkey from part where p_name like 'forest%')
      and ps_availqty > (
        select 0.5 * sum(l_quantity)
        from lineitem
        where l_partkey = ps_partkey
          and l_suppkey = ps_suppkey
          and l_shipdate >= {}
          and l_shipdate < {}))
  and s_nationkey = n_nationkey
  and n_name = 'CANADA'
order by s_name)";

// Suppliers who kept orders waiting.
const char* const kQ21 = R"(
select s_name, count(*) as numwait
from supplier, lineitem l1, orders, nation
where s_suppkey = l1.l_suppkey
  and o_orderkey = l1.l_orderkey
  and o_orderstatus = 'F'
  and l1.l_receiptdate > l1.l_commitdate
  and exists (
    select * from lineitem l2
    where l2.l_orderkey = l1.l_orderkey and l2.l_suppkey <> l1.l_suppkey)
  and not exists (
    select * from lineitem l3
    where l3.l_orderkey = l1.l_orderkey
      and l3.l_suppkey <> l1.l_suppkey
      and l3.l_receiptdate > l3.l_commitdate)
  and s_nationkey = n_nationkey
  and n_name = 'SAUDI ARABIA'
group by s_name
order by numwait desc, s_name
limit 100)";

// Global sales opportunity; {0} is the country code of a phone number.
const char* const kQ22 = R"(
select cntrycode, count(*) as numcust, sum(c_acctbal) as totacctbal
from (
  select {0} as cntrycode, c_acctbal
  from customer
  where {0} in ('13', '31', '23', '29', '30', '18', '17')
    and c_acctbal > (
      select avg(c_acctbal) from customer
      where c_acctbal > 0.00
        and {0} in ('13', '31', '23', '29', '30', '18', '17'))
    and not exists (select * from orders where o_custkey = c_custkey)) as custsale
group by cntrycode
order by cntrycode)";

// A date literal, and a date moved by an interval, in either dialect.
std::string OurDate(const char* day) { return fmt::format("date '{}'", day); }
std::string OurShift(const char* day, const char* op, int n, const char* unit) {
  return fmt::format("date '{}' {} interval '{}' {}", day, op, n, unit);
}
std::string LiteDate(const char* day) { return fmt::format("'{}'", day); }
std::string LiteShift(const char* day, const char* op, int n, const char* unit) {
  return fmt::format("date('{}', '{}{} {}s')", day, op, n, unit);
}

const char* const kTables[] = {
    R"(create table region (
  r_regionkey integer not null, r_name char(25) not null, r_comment varchar(152),
  primary key (r_regionkey)))",
    R"(create table nation (
  n_nationkey integer not null, n_name char(25) not null, n_regionkey integer not null,
  n_comment varchar(152),
  primary key (n_nationkey)))",
    R"(create table supplier (
  s_suppkey integer not null, s_name char(25) not null, s_address varchar(40) not null,
  s_nationkey integer not null, s_phone char(15) not null, s_acctbal {decimal} not null,
  s_comment varchar(101) not null,
  primary key (s_suppkey)))",
    R"(create table customer (
  c_custkey integer not null, c_name varchar(25) not null, c_address varchar(40) not null,
  c_nationkey integer not null, c_phone char(15) not null, c_acctbal {decimal} not null,
  c_mktsegment char(10) not null, c_comment varchar(117) not null,
  primary key (c_custkey)))",
    R"(create table part (
  p_partkey integer not null, p_name varchar(55) not null, p_mfgr char(25) not null,
  p_brand char(10) not null, p_type varchar(25) not null, p_size integer not null,
  p_container char(10) not null, p_retailprice {decimal} not null, p_comment varchar(23) not null,
  primary key (p_partkey)))",
    R"(create table partsupp (
  ps_partkey integer not null, ps_suppkey integer not null, ps_availqty integer not null,
  ps_supplycost {decimal} not null, ps_comment varchar(199) not null,
  primary key (ps_partkey, ps_suppkey)))",
    R"(create table orders (
  o_orderkey integer not null, o_custkey integer not null, o_orderstatus char(1) not null,
  o_totalprice {decimal} not null, o_orderdate {date} not null, o_orderpriority char(15) not null,
  o_clerk char(15) not null, o_shippriority integer not null, o_comment varchar(79) not null,
  primary key (o_orderkey)))",
    R"(create table lineitem (
  l_orderkey integer not null, l_partkey integer not null, l_suppkey integer not null,
  l_linenumber integer not null, l_quantity {decimal} not null, l_extendedprice {decimal} not null,
  l_discount {decimal} not null, l_tax {decimal} not null, l_returnflag char(1) not null,
  l_linestatus char(1) not null, l_shipdate {date} not null, l_commitdate {date} not null,
  l_receiptdate {date} not null, l_shipinstruct char(25) not null, l_shipmode char(10) not null,
  l_comment varchar(44) not null,
  primary key (l_orderkey, l_linenumber)))",
};

}  // namespace

std::vector<std::string> CreateTables(bool sqlite, bool fixed_char) {
  std::vector<std::string> out;
  for (const char* text : kTables) {
    std::string sql = fmt::format(fmt::runtime(text), fmt::arg("decimal", sqlite ? "real" : "decimal(15,2)"),
                                  fmt::arg("date", sqlite ? "text" : "date"));
    for (size_t at = 0; !fixed_char && (at = sql.find(" char(", at)) != std::string::npos; at += 4) {
      sql.replace(at, 5, " varchar");
    }
    out.push_back(std::move(sql));
  }
  return out;
}

std::vector<std::string> CreateIndexes() {
  return {
      "create index nation_regionkey on nation (n_regionkey)",
      "create index supplier_nationkey on supplier (s_nationkey)",
      "create index customer_nationkey on customer (c_nationkey)",
      "create index partsupp_suppkey on partsupp (ps_suppkey)",
      "create index orders_custkey on orders (o_custkey)",
      "create index lineitem_partkey on lineitem (l_partkey)",
      "create index lineitem_suppkey on lineitem (l_suppkey)",
  };
}

std::vector<Query> Queries(double scale_factor) {
  std::vector<Query> q(22);
  auto fmt_run = [](const char* text, auto&&... args) {
    return fmt::format(fmt::runtime(text), std::forward<decltype(args)>(args)...);
  };
  auto set = [&q](int n, std::string ours, std::string sqlite, bool ordered = true) {
    q[static_cast<size_t>(n - 1)] = Query{n, std::move(ours), std::move(sqlite), ordered};
  };
  auto same = [&set](int n, const char* text, bool ordered = true) { set(n, text, text, ordered); };

  set(1, fmt_run(kQ1, OurShift("1998-12-01", "-", 90, "day")), fmt_run(kQ1, LiteShift("1998-12-01", "-", 90, "day")));
  same(2, kQ2);
  set(3, fmt_run(kQ3, OurDate("1995-03-15")), fmt_run(kQ3, LiteDate("1995-03-15")));
  set(4, fmt_run(kQ4, OurDate("1993-07-01"), OurShift("1993-07-01", "+", 3, "month")),
      fmt_run(kQ4, LiteDate("1993-07-01"), LiteShift("1993-07-01", "+", 3, "month")));
  set(5, fmt_run(kQ5, OurDate("1994-01-01"), OurShift("1994-01-01", "+", 1, "year")),
      fmt_run(kQ5, LiteDate("1994-01-01"), LiteShift("1994-01-01", "+", 1, "year")));
  set(6, fmt_run(kQ6, OurDate("1994-01-01"), OurShift("1994-01-01", "+", 1, "year"), "0.06 - 0.01 and 0.06 + 0.01"),
      fmt_run(kQ6, LiteDate("1994-01-01"), LiteShift("1994-01-01", "+", 1, "year"), "0.05 and 0.07"), false);
  set(7, fmt_run(kQ7, "extract(year from l_shipdate)", OurDate("1995-01-01"), OurDate("1996-12-31")),
      fmt_run(kQ7, "cast(strftime('%Y', l_shipdate) as integer)", LiteDate("1995-01-01"), LiteDate("1996-12-31")));
  set(8, fmt_run(kQ8, "extract(year from o_orderdate)", OurDate("1995-01-01"), OurDate("1996-12-31")),
      fmt_run(kQ8, "cast(strftime('%Y', o_orderdate) as integer)", LiteDate("1995-01-01"), LiteDate("1996-12-31")));
  set(9, fmt_run(kQ9, "extract(year from o_orderdate)"),
      fmt_run(kQ9, "cast(strftime('%Y', o_orderdate) as integer)"));
  set(10, fmt_run(kQ10, OurDate("1993-10-01"), OurShift("1993-10-01", "+", 3, "month")),
      fmt_run(kQ10, LiteDate("1993-10-01"), LiteShift("1993-10-01", "+", 3, "month")));
  const std::string q11 = fmt_run(kQ11, fmt::format("{:.10g}", 0.0001 / scale_factor));
  set(11, q11, q11);
  set(12, fmt_run(kQ12, OurDate("1994-01-01"), OurShift("1994-01-01", "+", 1, "year")),
      fmt_run(kQ12, LiteDate("1994-01-01"), LiteShift("1994-01-01", "+", 1, "year")));
  same(13, kQ13);
  set(14, fmt_run(kQ14, OurDate("1995-09-01"), OurShift("1995-09-01", "+", 1, "month")),
      fmt_run(kQ14, LiteDate("1995-09-01"), LiteShift("1995-09-01", "+", 1, "month")), false);
  set(15, fmt_run(kQ15, OurDate("1996-01-01"), OurShift("1996-01-01", "+", 3, "month")),
      fmt_run(kQ15, LiteDate("1996-01-01"), LiteShift("1996-01-01", "+", 3, "month")));
  same(16, kQ16);
  same(17, kQ17, false);
  same(18, kQ18);
  same(19, kQ19, false);
  set(20, fmt_run(kQ20, OurDate("1994-01-01"), OurShift("1994-01-01", "+", 1, "year")),
      fmt_run(kQ20, LiteDate("1994-01-01"), LiteShift("1994-01-01", "+", 1, "year")));
  same(21, kQ21);
  set(22, fmt_run(kQ22, "substring(c_phone from 1 for 2)"), fmt_run(kQ22, "substr(c_phone, 1, 2)"));
  return q;
}

}  // namespace neuroquantum::bench::tpch
