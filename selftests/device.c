// SPDX-License-Identifier: GPL-2.0
/*
 * device: the /dev/shmbox node, the version ioctl and the argument rules
 * every ioctl shares (size, flags, padding, bad pointers, unknown
 * commands).  One error path per subtest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libshmbox.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(SHMBOX_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", SHMBOX_DEVICE_PATH,
				      strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

static struct shmbox_version ver_arg(void)
{
	struct shmbox_version v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	return v;
}

TEST(node_is_world_accessible_misc_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat(SHMBOX_DEVICE_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(10, major(st.st_rdev));	/* MISC_MAJOR */
	EXPECT_EQ(0666, st.st_mode & 07777);
}

TEST(unprivileged_user_can_open)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		fd = open(SHMBOX_DEVICE_PATH, O_RDWR);
		_exit(fd < 0 ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(dev, version_reports_abi_and_features)
{
	struct shmbox_version v = ver_arg();

	ASSERT_EQ(0, ioctl(self->fd, SHMBOX_IOC_GET_VERSION, &v));
	EXPECT_EQ(sizeof(v), v.size);
	EXPECT_EQ(SHMBOX_ABI_MAJOR, v.abi_major);
	EXPECT_EQ(SHMBOX_ABI_MINOR, v.abi_minor);
	EXPECT_EQ(255, v.name_max);
	EXPECT_EQ(0, v.pad);
	EXPECT_TRUE(v.features & SHMBOX_FEAT_VERSION);
}

TEST_F(dev, library_version_matches_ioctl)
{
	struct shmbox_version a = ver_arg(), b;

	ASSERT_EQ(0, ioctl(self->fd, SHMBOX_IOC_GET_VERSION, &a));
	ASSERT_EQ(0, shmbox_get_version(self->fd, &b));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
}

TEST_F(dev, version_larger_struct_with_zero_tail_accepted)
{
	struct { struct shmbox_version v; uint64_t tail[4]; } big;

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	ASSERT_EQ(0, ioctl(self->fd, SHMBOX_IOC_GET_VERSION, &big));
	EXPECT_EQ(SHMBOX_ABI_MAJOR, big.v.abi_major);
	EXPECT_EQ(0, big.tail[0]);
	EXPECT_EQ(0, big.tail[3]);
}

TEST_F(dev, version_larger_struct_with_nonzero_tail_e2big)
{
	struct { struct shmbox_version v; uint64_t tail[4]; } big;

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	big.tail[2] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_GET_VERSION, &big));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(dev, version_size_below_ver0_einval)
{
	struct shmbox_version v = ver_arg();

	v.size = SHMBOX_VERSION_SIZE_VER0 - 1;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_GET_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, version_size_zero_einval)
{
	struct shmbox_version v = ver_arg();

	v.size = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_GET_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, version_size_over_page_e2big)
{
	struct shmbox_version v = ver_arg();

	v.size = 4097;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_GET_VERSION, &v));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(dev, version_unknown_flag_einval)
{
	struct shmbox_version v = ver_arg();

	v.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_GET_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, version_nonzero_pad_einval)
{
	struct shmbox_version v = ver_arg();

	v.pad = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_GET_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, version_nonzero_output_field_einval)
{
	struct shmbox_version v = ver_arg();

	v.features = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_GET_VERSION, &v));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, version_null_pointer_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_GET_VERSION, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, version_unmapped_pointer_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_GET_VERSION,
			    (void *)(uintptr_t)0x10));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, unknown_ioctl_with_our_magic_enotty)
{
	EXPECT_EQ(-1, ioctl(self->fd, _IO(SHMBOX_IOC_MAGIC, 0xff)));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, foreign_ioctl_enotty)
{
	int n;

	EXPECT_EQ(-1, ioctl(self->fd, FIONREAD, &n));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, version_with_wrong_direction_bits_enotty)
{
	struct shmbox_version v = ver_arg();

	EXPECT_EQ(-1, ioctl(self->fd, _IOR(SHMBOX_IOC_MAGIC, 0x00,
					   struct shmbox_version), &v));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, lseek_espipe)
{
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
}

TEST_HARNESS_MAIN
