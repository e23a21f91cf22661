// Tests for the server's cryptographic helpers against published vectors
// (FIPS 180-2, RFC 4231, RFC 4648) and for the decoders' rejections.
#include "server/crypto.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace neuroquantum::server {
namespace {

using namespace std::string_literals;

TEST(CryptoTest, Sha256KnownVectors) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256("abc").size(), 32u);
}

TEST(CryptoTest, HmacSha256Rfc4231) {
  // Test case 1.
  EXPECT_EQ(HexEncode(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: a key shorter than the output.
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block, hashed first.
  EXPECT_EQ(HexEncode(HmacSha256(std::string(131, '\xaa'),
                                 "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(CryptoTest, HmacDependsOnKeyAndData) {
  EXPECT_NE(HmacSha256("key1", "data"), HmacSha256("key2", "data"));
  EXPECT_NE(HmacSha256("key", "data1"), HmacSha256("key", "data2"));
  EXPECT_EQ(HmacSha256("key", "data"), HmacSha256("key", "data"));
}

TEST(CryptoTest, RandomBytes) {
  Result<std::string> empty = RandomBytes(0);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  Result<std::string> a = RandomBytes(32);
  Result<std::string> b = RandomBytes(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);  // 2^-256 chance of a false failure
  EXPECT_NE(*a, std::string(32, '\0'));
}

TEST(CryptoTest, HexRoundTripAndRejections) {
  EXPECT_EQ(HexEncode("\x00\xff\x10\xab"s), "00ff10ab");
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(HexDecode("00ff10ab"), "\x00\xff\x10\xab"s);
  EXPECT_EQ(HexDecode("00FF10AB"), "\x00\xff\x10\xab"s);
  EXPECT_EQ(HexDecode(""), "");
  EXPECT_FALSE(HexDecode("abc").has_value());   // odd length
  EXPECT_FALSE(HexDecode("zz").has_value());    // not hex
  EXPECT_FALSE(HexDecode("0g").has_value());
  EXPECT_FALSE(HexDecode("0 ").has_value());
  EXPECT_FALSE(HexDecode("\x00\x00"s).has_value());
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(HexDecode(HexEncode(all)), all);
}

TEST(CryptoTest, Base64UrlRfc4648Vectors) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  // The bytes that the standard alphabet writes as '+' and '/'.
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(Base64UrlDecode("-_-_"), "\xfb\xff\xbf");
  EXPECT_EQ(Base64UrlDecode("Zm9vYmE"), "fooba");
  EXPECT_EQ(Base64UrlDecode(""), "");
}

TEST(CryptoTest, Base64UrlRoundTripsEveryLength) {
  Result<std::string> random = RandomBytes(100);
  ASSERT_TRUE(random.ok());
  for (size_t n = 0; n <= random->size(); ++n) {
    std::string bytes = random->substr(0, n);
    std::string text = Base64UrlEncode(bytes);
    EXPECT_EQ(text.size(), (n * 4 + 2) / 3) << n;
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos) << text;
    std::optional<std::string> back = Base64UrlDecode(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(*back, bytes);
  }
}

TEST(CryptoTest, Base64UrlDecodeRejects) {
  EXPECT_FALSE(Base64UrlDecode("Zg==").has_value());   // padding
  EXPECT_FALSE(Base64UrlDecode("Zm8=").has_value());
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());      // 4k+1 characters
  EXPECT_FALSE(Base64UrlDecode("Zm9vY").has_value());
  EXPECT_FALSE(Base64UrlDecode("+/8").has_value());    // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("Zm 9").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9\n").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm\0v"s).has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9\xc3").has_value());
  // Non-zero bits after the last byte: "Zh" would also decode to "f".
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9").has_value());
  EXPECT_TRUE(Base64UrlDecode("Zm8").has_value());
}

TEST(CryptoTest, Base64StandardWithPadding) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("\xfb\xff\xbf"), "+/+/");
  EXPECT_EQ(Base64Encode("\x00\x00"s), "AAA=");
}

TEST(CryptoTest, Base64StandardDecode) {
  for (std::string bytes : {""s, "f"s, "fo"s, "foo"s, "foob"s, "fooba"s, "foobar"s, "\xfb\xff\xbf"s, "\x00\x00"s}) {
    auto back = Base64Decode(Base64Encode(bytes));
    ASSERT_TRUE(back.has_value()) << Base64Encode(bytes);
    EXPECT_EQ(*back, bytes);
  }
  std::string all;
  for (int i = 0; i < 1000; ++i) all += static_cast<char>(i * 7);
  EXPECT_EQ(Base64Decode(Base64Encode(all)), all);
  for (const char* bad : {"Zg=", "Zg", "Z===", "Zm9v\n", "Zm 9", "Zm9-", "Zm_v", "=Zm9", "Zg=a", "%%%%"}) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
}

TEST(CryptoTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("Secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret2"));
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
  EXPECT_TRUE(ConstantTimeEquals("a\0b"s, "a\0b"s));
  EXPECT_FALSE(ConstantTimeEquals("a\0b"s, "a\0c"s));
}

}  // namespace
}  // namespace neuroquantum::server
