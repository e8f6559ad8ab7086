#include "pricing/string_index.hpp"

#include <gtest/gtest.h>

namespace pe::pricing {
namespace {

TEST(StringIndex, FindsEveryKeyOfEveryLengthAndNothingElse) {
  // Keys of lengths 0..40 that differ in one byte at every position: the word comparisons
  // must see every byte.
  std::vector<std::string> keys;
  for (size_t n = 0; n <= 40; ++n) keys.push_back(std::string(n, 'a'));
  for (size_t n = 1; n <= 40; ++n) {
    for (size_t i = 0; i < n; ++i) {
      std::string k(n, 'a');
      k[i] = 'b';
      keys.push_back(k);
    }
  }
  StringIndex index(keys);
  for (size_t i = 0; i < keys.size(); ++i)
    ASSERT_EQ(index.find(keys[i]), static_cast<int>(i)) << keys[i];
  EXPECT_EQ(index.find("c"), -1);
  EXPECT_EQ(index.find(std::string(41, 'a')), -1);
  EXPECT_EQ(index.find(std::string(20, 'a') + "c"), -1);
  EXPECT_EQ(index.find(std::string_view("a\0", 2)), -1);
}

TEST(StringIndex, FindPaddedIgnoresTheBytesPastTheKey) {
  std::vector<std::string> keys;
  for (size_t n = 0; n <= 24; ++n) keys.push_back(std::string(n, 'k'));
  StringIndex index(keys);
  for (size_t n = 0; n <= 24; ++n) {
    // The same key in a std::string whose buffer past the key holds other bytes: one shrunk
    // from a longer string, one built short (its inline buffer).
    std::string shrunk(40, 'k');
    shrunk.resize(n);
    std::string fresh(n, 'k');
    EXPECT_EQ(index.find_padded(shrunk.data(), shrunk.size()), static_cast<int>(n));
    EXPECT_EQ(index.find_padded(fresh.data(), fresh.size()), static_cast<int>(n));
    std::string other = fresh + "x";
    other.resize(n + 1);
    other.back() = 'j';
    EXPECT_EQ(index.find_padded(other.data(), other.size()), -1) << other;
  }
}

TEST(StringIndex, FindLowercasePaddedFoldsOnlyAsciiLetters) {
  StringIndex index({"germany", "de", "t\xc3\xbcrkiye", "@[`{", "sixteen-letters!"});
  auto find = [&](std::string key) {
    return index.view().find_lowercase_padded(key.data(), key.size());
  };
  EXPECT_EQ(find("GERMANY"), 0);
  EXPECT_EQ(find("Germany"), 0);
  EXPECT_EQ(find("dE"), 1);
  EXPECT_EQ(find("T\xc3\xbcrkiye"), 2);
  EXPECT_EQ(find("T\xc3\x9crkiye"), -1);  // Ü is not folded: ASCII letters only
  EXPECT_EQ(find("@[`{"), 3);             // the bytes around A-Z and a-z stay as they are
  EXPECT_EQ(find("SIXTEEN-LETTERS!"), 4);
  EXPECT_EQ(find("germanY "), -1);
  EXPECT_EQ(find(""), -1);
}

TEST(StringIndex, KeepsTheFirstIndexOfARepeatedKeyAndHandlesEmptyIndexes) {
  StringIndex index({"Hardware", "Software", "Hardware"});
  EXPECT_EQ(index.find("Hardware"), 0);
  EXPECT_EQ(index.find("Software"), 1);
  EXPECT_EQ(index.find("hardware"), -1);
  EXPECT_EQ(StringIndex().find("x"), -1);
  EXPECT_EQ(StringIndex(std::vector<std::string>{}).find(""), -1);
}

}  // namespace
}  // namespace pe::pricing
