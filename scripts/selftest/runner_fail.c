// SPDX-License-Identifier: GPL-2.0
/* A selftest that must fail: proves "make check" notices failing tests. */
#include "kselftest_harness.h"

TEST(passes)
{
	EXPECT_EQ(1, 1);
}

TEST(must_fail)
{
	EXPECT_EQ(1, 2) TH_LOG("this failure is deliberate (runner self-test)");
}

TEST_HARNESS_MAIN
