// Tests for address allow-lists: IPv4 and IPv6 ranges, bare addresses,
// IPv4-mapped IPv6 clients, and refusal of malformed entries.
#include "common/cidr.h"

#include <gtest/gtest.h>

namespace neuroquantum {
namespace {

TEST(AddressAllowListTest, LoopbackDefault) {
  auto list = AddressAllowList::Parse("127.0.0.0/8, ::1/128");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_TRUE(list->Contains("127.0.0.1"));
  EXPECT_TRUE(list->Contains("127.255.0.9"));
  EXPECT_TRUE(list->Contains("::1"));
  EXPECT_TRUE(list->Contains("::ffff:127.0.0.2"));  // IPv4 client on a dual-stack socket
  EXPECT_FALSE(list->Contains("128.0.0.1"));
  EXPECT_FALSE(list->Contains("10.0.0.1"));
  EXPECT_FALSE(list->Contains("::2"));
  EXPECT_FALSE(list->Contains("not an address"));
  EXPECT_FALSE(list->Contains(""));
  EXPECT_EQ(list->ToString(), "127.0.0.0/8, ::1/128");
}

TEST(AddressAllowListTest, PrefixesThatAreNotByteAligned) {
  auto list = AddressAllowList::Parse("10.1.2.3/20,2001:db8:abcd::/46");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->ToString(), "10.1.0.0/20, 2001:db8:abcc::/46");
  EXPECT_TRUE(list->Contains("10.1.15.255"));
  EXPECT_FALSE(list->Contains("10.1.16.0"));
  EXPECT_TRUE(list->Contains("2001:db8:abcf:ffff::1"));
  EXPECT_FALSE(list->Contains("2001:db8:abd0::1"));
}

TEST(AddressAllowListTest, BareAddressIsOneHostAndZeroPrefixIsEverything) {
  auto one = AddressAllowList::Parse("192.168.1.7");
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->Contains("192.168.1.7"));
  EXPECT_FALSE(one->Contains("192.168.1.8"));
  auto all = AddressAllowList::Parse("0.0.0.0/0, ::/0");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->Contains("8.8.8.8"));
  EXPECT_TRUE(all->Contains("2001:db8::1"));
}

TEST(AddressAllowListTest, EmptyAllowsNothing) {
  auto list = AddressAllowList::Parse(" , ");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  EXPECT_FALSE(list->Contains("127.0.0.1"));
}

TEST(AddressAllowListTest, MalformedEntriesAreNamed) {
  for (const char* text : {"127.0.0.1/33", "::1/129", "10.0.0.0/", "10.0.0.0/x", "localhost", "10.0.0.0/8/8",
                           "300.1.1.1", "10.0.0.0/-1"}) {
    auto list = AddressAllowList::Parse(std::string("127.0.0.1, ") + text);
    ASSERT_FALSE(list.ok()) << text;
    EXPECT_EQ(list.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(list.status().message().find(text), std::string::npos) << list.status().ToString();
  }
}

}  // namespace
}  // namespace neuroquantum
