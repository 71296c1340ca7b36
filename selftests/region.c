// SPDX-License-Identifier: GPL-2.0
/*
 * region: shared regions -- lifecycle, stat, permissions with a second
 * uid, read-only mapping enforcement, fork sharing, anonymous regions,
 * auto-remove, limits, and one subtest per invalid input.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libshmbox.h"
#include "util.h"

#define PG 4096UL

static void test_name(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "region-%s-%d", what, getpid());
}

static int open_arg(int fd, struct shmbox_region_open *o)
{
	return ioctl(fd, SHMBOX_IOC_REGION_OPEN, o);
}

static struct shmbox_region_open ropen(const char *name, unsigned int flags,
				       uint64_t bytes, unsigned int mode)
{
	struct shmbox_region_open o;

	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.flags = flags;
	o.name = (uintptr_t)name;
	o.bytes = bytes;
	o.mode = mode;
	return o;
}

static uint64_t now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

FIXTURE(region) {
	char name[64];
	int fd;
};

FIXTURE_SETUP(region)
{
	umask(0);
	test_name(self->name, sizeof(self->name), "fx");
	shmbox_unlink(self->name, 0);
	self->fd = shmbox_region_open(self->name, SHMBOX_O_CREAT, 4 * PG,
				      0640, 1);
	ASSERT_LE(0, self->fd) TH_LOG("create: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(region)
{
	close(self->fd);
	shmbox_unlink(self->name, 0);
}

TEST_F(region, lifecycle_create_map_share_unlink)
{
	char *a, *b;
	int fd2;

	a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, a);
	strcpy(a + PG, "hello from a");

	fd2 = shmbox_region_open(self->name, 0, 0, 0, 1);
	ASSERT_LE(0, fd2);
	b = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	ASSERT_NE(MAP_FAILED, b);
	EXPECT_STREQ("hello from a", b + PG);
	b[3 * PG] = 'x';
	EXPECT_EQ('x', a[3 * PG]);

	ASSERT_EQ(0, shmbox_unlink(self->name, SHMBOX_KIND_REGION));
	EXPECT_EQ(-ENOENT, shmbox_region_open(self->name, 0, 0, 0, 1));
	/* Unlinked but attached: the memory lives on. */
	a[0] = 'y';
	EXPECT_EQ('y', b[0]);
	munmap(a, 4 * PG);
	munmap(b, 4 * PG);
	close(fd2);
}

TEST_F(region, new_region_is_zeroed)
{
	unsigned char *p = mmap(NULL, 4 * PG, PROT_READ, MAP_SHARED, self->fd, 0);
	size_t i;

	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 4 * PG; i++)
		if (p[i])
			break;
	EXPECT_EQ(4 * PG, i);
	munmap(p, 4 * PG);
}

TEST_F(region, open_reports_size)
{
	struct shmbox_region_open o = ropen(self->name, 0, 0, 0);
	int fd = shmbox_dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, open_arg(fd, &o));
	EXPECT_EQ(4 * PG, o.bytes);
	close(fd);
}

TEST_F(region, stat_reports_everything)
{
	struct shmbox_region_stat st;
	uint64_t t0 = now_real_ns();
	void *p, *q;

	ASSERT_EQ(0, shmbox_region_stat(self->fd, &st));
	EXPECT_EQ(SHMBOX_KIND_REGION, st.obj.kind);
	EXPECT_EQ(0, st.obj.oflags);
	EXPECT_EQ(geteuid(), st.obj.uid);
	EXPECT_EQ(getegid(), st.obj.gid);
	EXPECT_EQ(geteuid(), st.obj.cuid);
	EXPECT_EQ(getegid(), st.obj.cgid);
	EXPECT_EQ(0640, st.obj.mode);
	EXPECT_EQ(getpid(), st.obj.cpid);
	EXPECT_LT(0, st.obj.ctime_ns);
	EXPECT_GE(t0, st.obj.ctime_ns);
	EXPECT_EQ(1, st.obj.users);
	EXPECT_EQ(1, st.obj.linked);
	EXPECT_EQ(4 * PG, st.bytes);
	EXPECT_EQ(4 * PG, st.map_bytes);
	EXPECT_EQ(0, st.nattch);
	EXPECT_EQ(0, st.lpid);
	EXPECT_EQ(0, st.atime_ns);
	EXPECT_EQ(0, st.dtime_ns);
	EXPECT_EQ(0, st.producers);
	EXPECT_EQ(0, st.consumers);

	p = mmap(NULL, PG, PROT_READ, MAP_SHARED, self->fd, 0);
	q = mmap(NULL, PG, PROT_READ, MAP_SHARED, self->fd, PG);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(0, shmbox_region_stat(self->fd, &st));
	EXPECT_EQ(2, st.nattch);
	EXPECT_EQ(getpid(), st.lpid);
	EXPECT_LE(t0, st.atime_ns);
	EXPECT_EQ(0, st.dtime_ns);
	munmap(p, PG);
	ASSERT_EQ(0, shmbox_region_stat(self->fd, &st));
	EXPECT_EQ(1, st.nattch);
	EXPECT_LE(st.atime_ns, st.dtime_ns);
	munmap(q, PG);

	ASSERT_EQ(0, shmbox_unlink(self->name, 0));
	ASSERT_EQ(0, shmbox_region_stat(self->fd, &st));
	EXPECT_EQ(0, st.obj.linked);
	EXPECT_EQ(0, st.nattch);
}

TEST_F(region, umask_applies_to_mode)
{
	struct shmbox_region_stat st;
	char name[64];
	int fd;

	test_name(name, sizeof(name), "umask");
	umask(022);
	fd = shmbox_region_open(name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE,
				PG, 0666, 1);
	umask(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmbox_region_stat(fd, &st));
	EXPECT_EQ(0644, st.obj.mode);
	close(fd);
}

TEST_F(region, fork_keeps_sharing)
{
	int *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	struct shmbox_region_stat st;
	pid_t pid;
	int status;

	ASSERT_NE(MAP_FAILED, p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		p[10] = 4242;
		_exit(p[11] == 77 ? 0 : 1);
	}
	p[11] = 77;
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* The child may have read p[11] before it was set: only its write counts. */
	EXPECT_EQ(4242, p[10]);
	ASSERT_EQ(0, shmbox_region_stat(self->fd, &st));
	EXPECT_EQ(1, st.nattch);	/* the child's mapping went with it */
	munmap(p, PG);
}

TEST(anonymous_region_shared_through_fork)
{
	struct shmbox_region_stat st;
	int fd, status;
	int *p;
	pid_t pid;

	fd = shmbox_region_open(NULL, 0, PG, 0600, 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmbox_region_stat(fd, &st));
	EXPECT_EQ(0, st.obj.linked);
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		p[0] = 99;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(99, p[0]);
	munmap(p, PG);
	close(fd);
}

TEST(autoremove_on_last_close)
{
	char name[64];
	int fd, fd2;

	test_name(name, sizeof(name), "auto");
	fd = shmbox_region_open(name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE,
				PG, 0600, 1);
	ASSERT_LE(0, fd);
	fd2 = shmbox_region_open(name, 0, 0, 0, 1);
	ASSERT_LE(0, fd2);
	close(fd);
	/* Still one user: the name stays. */
	close(shmbox_region_open(name, 0, 0, 0, 1));
	close(fd2);
	EXPECT_EQ(-ENOENT, shmbox_region_open(name, 0, 0, 0, 1));
}

TEST(autoremove_waits_for_last_mapping)
{
	char name[64];
	void *p;
	int fd, fd2;

	test_name(name, sizeof(name), "automap");
	fd = shmbox_region_open(name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE,
				PG, 0600, 1);
	ASSERT_LE(0, fd);
	p = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	fd2 = shmbox_region_open(name, 0, 0, 0, 1);
	EXPECT_LE(0, fd2);
	close(fd2);
	munmap(p, PG);
	EXPECT_EQ(-ENOENT, shmbox_region_open(name, 0, 0, 0, 1));
}

TEST(autoremove_open_failing_late_leaves_no_name)
{
	struct shmbox_region_open *ro;
	char name[64];
	int fd;

	test_name(name, sizeof(name), "latefail");
	/* Readable, not writable: the open is created, the copy-out faults. */
	ro = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	*ro = ropen(name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE, PG, 0600);
	ASSERT_EQ(0, mprotect(ro, PG, PROT_READ));
	fd = shmbox_dev_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, open_arg(fd, ro));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-ENOENT, shmbox_region_open(name, 0, 0, 0, 1));
	close(fd);
	munmap(ro, PG);
}

TEST(crashed_process_leaves_nothing_behind)
{
	char name[64];
	int status;
	pid_t pid;

	test_name(name, sizeof(name), "crash");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = shmbox_region_open(name, SHMBOX_O_CREAT |
					    SHMBOX_O_AUTOREMOVE, PG, 0600, 1);
		char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED,
			       fd, 0);

		if (fd < 0 || p == MAP_FAILED)
			_exit(1);
		raise(SIGKILL);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(-ENOENT, shmbox_region_open(name, 0, 0, 0, 1));
}

TEST(memory_is_freed_with_the_last_user)
{
	unsigned long old;
	char name[64];
	void *p;
	int fd, i;

	test_name(name, sizeof(name), "free");
	/* Room for exactly this region: it can only be made again if freed. */
	ASSERT_EQ(0, param_swap("max_total_bytes", 64 * PG, &old));
	for (i = 0; i < 3; i++) {
		fd = shmbox_region_open(name, SHMBOX_O_CREAT | SHMBOX_O_EXCL,
					64 * PG, 0600, 1);
		ASSERT_LE(0, fd) TH_LOG("round %d: %s", i, strerror(-fd));
		p = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, p);
		memset(p, 1, 64 * PG);
		ASSERT_EQ(0, shmbox_unlink(name, 0));
		close(fd);
		munmap(p, 64 * PG);
	}
	param_set("max_total_bytes", old);
}

static long cg_read(const char *dir, const char *file)
{
	char path[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int cg_child(const char *dir, int *pipefd)
{
	char path[256], c = 0;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f))
		return 1;
	fd = shmbox_region_open("region-memcg", SHMBOX_O_CREAT |
				SHMBOX_O_EXCL, 16 << 20, 0600, 1);
	if (fd < 0)
		return 2;
	/* Tell the parent, then wait for it to measure. */
	if (write(pipefd[1], &c, 1) != 1 || read(pipefd[0], &c, 1) != 1)
		return 3;
	return 0;
}

TEST(region_memory_charged_to_creator_memcg)
{
	const char *dir = "/sys/fs/cgroup/shmbox-test";
	long before, after;
	int up[2], down[2], status;
	char c = 0;
	pid_t pid;

	if (cg_read("/sys/fs/cgroup", "cgroup.subtree_control") < -1 ||
	    (mkdir(dir, 0755) && errno != EEXIST) ||
	    (before = cg_read(dir, "memory.current")) < 0)
		SKIP(return, "no cgroup2 memory controller");
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int pfd[2] = { down[0], up[1] };

		_exit(cg_child(dir, pfd));
	}
	ASSERT_EQ(1, read(up[0], &c, 1));
	after = cg_read(dir, "memory.current");
	ASSERT_EQ(1, write(down[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* 16 MiB of region pages, charged to the group that created them. */
	EXPECT_LE(before + (16L << 20), after) TH_LOG("memory.current %ld -> %ld",
						     before, after);
	shmbox_unlink("region-memcg", 0);
	rmdir(dir);
}

TEST(total_bytes_limit_enospc)
{
	unsigned long old;
	int fd;

	ASSERT_EQ(0, param_swap("max_total_bytes", 2 * PG, &old));
	fd = shmbox_region_open(NULL, 0, 4 * PG, 0600, 1);
	param_set("max_total_bytes", old);
	EXPECT_EQ(-ENOSPC, fd);
}

TEST(object_count_limit_enospc)
{
	unsigned long old;
	int a, b;

	ASSERT_EQ(0, param_swap("max_objects", 1, &old));
	a = shmbox_region_open(NULL, 0, PG, 0600, 1);
	b = shmbox_region_open(NULL, 0, PG, 0600, 1);
	param_set("max_objects", old);
	EXPECT_LE(0, a);
	EXPECT_EQ(-ENOSPC, b);
	close(a);
}

TEST(region_size_limit_efbig)
{
	unsigned long old;
	int fd;

	ASSERT_EQ(0, param_swap("max_region_bytes", 4 * PG, &old));
	fd = shmbox_region_open(NULL, 0, 8 * PG, 0600, 1);
	param_set("max_region_bytes", old);
	EXPECT_EQ(-EFBIG, fd);
}

TEST(limit_param_out_of_range_refused)
{
	EXPECT_NE(0, param_set("max_region_bytes", 0));
}

/* ---- permissions, as a second uid ----------------------------------- */

struct perm_case {
	const char *name;
	int writable;
};

static int open_as(void *arg)
{
	struct perm_case *c = arg;
	int fd = shmbox_region_open(c->name, 0, 0, 0, c->writable);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return fd == -EACCES ? 13 : 99;
}

static int perm_open(const char *name, unsigned int mode, int writable)
{
	struct perm_case c = { name, writable };
	int fd, ret;

	fd = shmbox_region_open(name, SHMBOX_O_CREAT | SHMBOX_O_EXCL, PG,
				mode, 1);
	if (fd < 0)
		return -1;
	ret = as_nobody(open_as, &c);
	close(fd);
	shmbox_unlink(name, 0);
	return ret;
}

TEST(perm_other_read_allowed_by_0604)
{
	char name[64];

	umask(0);
	test_name(name, sizeof(name), "p1");
	EXPECT_EQ(0, perm_open(name, 0604, 0));
}

TEST(perm_other_write_denied_by_0604)
{
	char name[64];

	umask(0);
	test_name(name, sizeof(name), "p2");
	EXPECT_EQ(13, perm_open(name, 0604, 1));
}

TEST(perm_other_read_denied_by_0600)
{
	char name[64];

	umask(0);
	test_name(name, sizeof(name), "p3");
	EXPECT_EQ(13, perm_open(name, 0600, 0));
}

TEST(perm_other_write_allowed_by_0606)
{
	char name[64];

	umask(0);
	test_name(name, sizeof(name), "p4");
	EXPECT_EQ(0, perm_open(name, 0606, 1));
}

static int unlink_as(void *arg)
{
	return -shmbox_unlink(arg, 0);
}

TEST(unlink_by_other_user_eperm)
{
	char name[64];
	int fd;

	test_name(name, sizeof(name), "unl");
	fd = shmbox_region_open(name, SHMBOX_O_CREAT, PG, 0666, 1);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EPERM, as_nobody(unlink_as, name));
	EXPECT_EQ(0, shmbox_unlink(name, 0));
	close(fd);
}

static int ro_mapping_rules(void *arg)
{
	int fd = shmbox_region_open(arg, 0, 0, 0, 0);
	void *p;

	if (fd < 0)
		return 1;
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED || errno != EACCES)
		return 2;
	p = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 3;
	if (mprotect(p, PG, PROT_READ | PROT_WRITE) == 0 || errno != EACCES)
		return 4;
	return 0;
}

TEST(readonly_open_maps_readonly_only)
{
	char name[64];
	int fd;

	test_name(name, sizeof(name), "ro");
	fd = shmbox_region_open(name, SHMBOX_O_CREAT, PG, 0644, 1);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, as_nobody(ro_mapping_rules, name));
	/* The same rules hold for the owner's own read-only open. */
	EXPECT_EQ(0, ro_mapping_rules(name));
	shmbox_unlink(name, 0);
	close(fd);
}

/* ---- invalid input: one error path per subtest ---------------------- */

static int try_open(struct shmbox_region_open *o)
{
	int fd = shmbox_dev_open(), ret;

	if (fd < 0)
		return fd;
	ret = open_arg(fd, o) ? -errno : 0;
	close(fd);
	return ret;
}

TEST(open_missing_without_creat_enoent)
{
	struct shmbox_region_open o = ropen("region-no-such-name", 0, 0, 0);

	EXPECT_EQ(-ENOENT, try_open(&o));
}

TEST_F(region, create_excl_existing_eexist)
{
	struct shmbox_region_open o = ropen(self->name, SHMBOX_O_CREAT |
					    SHMBOX_O_EXCL, 4 * PG, 0600);

	EXPECT_EQ(-EEXIST, try_open(&o));
}

TEST(excl_without_creat_einval)
{
	struct shmbox_region_open o = ropen("region-x", SHMBOX_O_EXCL, PG, 0600);

	EXPECT_EQ(-EINVAL, try_open(&o));
}

TEST(unknown_flag_einval)
{
	struct shmbox_region_open o = ropen(NULL, 1U << 31, PG, 0600);

	EXPECT_EQ(-EINVAL, try_open(&o));
}

TEST(nonzero_pad_einval)
{
	struct shmbox_region_open o = ropen(NULL, 0, PG, 0600);

	o.pad = 1;
	EXPECT_EQ(-EINVAL, try_open(&o));
}

TEST(mode_beyond_0777_einval)
{
	struct shmbox_region_open o = ropen(NULL, 0, PG, 01777);

	EXPECT_EQ(-EINVAL, try_open(&o));
}

TEST(size_zero_einval)
{
	struct shmbox_region_open o = ropen(NULL, 0, 0, 0600);

	EXPECT_EQ(-EINVAL, try_open(&o));
}

TEST(size_not_page_multiple_einval)
{
	struct shmbox_region_open o = ropen(NULL, 0, PG + 1, 0600);

	EXPECT_EQ(-EINVAL, try_open(&o));
}

TEST(struct_size_too_small_einval)
{
	struct shmbox_region_open o = ropen(NULL, 0, PG, 0600);

	o.size = SHMBOX_REGION_OPEN_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, try_open(&o));
}

TEST_F(region, open_existing_with_other_size_einval)
{
	struct shmbox_region_open o = ropen(self->name, 0, 8 * PG, 0);

	EXPECT_EQ(-EINVAL, try_open(&o));
}

TEST(name_too_long_enametoolong)
{
	char name[300];
	struct shmbox_region_open o;

	memset(name, 'n', 256);
	name[256] = 0;
	o = ropen(name, SHMBOX_O_CREAT, PG, 0600);
	EXPECT_EQ(-ENAMETOOLONG, try_open(&o));
}

TEST(name_of_255_bytes_accepted)
{
	char name[300];
	int fd;

	memset(name, 'm', 255);
	name[255] = 0;
	fd = shmbox_region_open(name, SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE,
				PG, 0600, 1);
	EXPECT_LE(0, fd);
	close(fd);
}

TEST(empty_name_einval)
{
	struct shmbox_region_open o = ropen("", SHMBOX_O_CREAT, PG, 0600);

	EXPECT_EQ(-EINVAL, try_open(&o));
}

TEST(name_with_slash_einval)
{
	struct shmbox_region_open o = ropen("a/b", SHMBOX_O_CREAT, PG, 0600);

	EXPECT_EQ(-EINVAL, try_open(&o));
}

TEST(name_bad_pointer_efault)
{
	struct shmbox_region_open o = ropen(NULL, SHMBOX_O_CREAT, PG, 0600);

	o.name = 16;
	EXPECT_EQ(-EFAULT, try_open(&o));
}

TEST(arg_bad_pointer_efault)
{
	int fd = shmbox_dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, SHMBOX_IOC_REGION_OPEN, (void *)16));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

TEST_F(region, bind_twice_ebusy)
{
	struct shmbox_region_open o = ropen(self->name, 0, 0, 0);

	EXPECT_EQ(-1, open_arg(self->fd, &o));
	EXPECT_EQ(EBUSY, errno);
}

TEST_F(region, ring_flag_on_plain_region_emediumtype)
{
	struct shmbox_region_open o = ropen(self->name, SHMBOX_REGION_RING, 0, 0);

	EXPECT_EQ(-EMEDIUMTYPE, try_open(&o));
}

TEST_F(region, ring_role_on_plain_region_einval)
{
	struct shmbox_region_open o = ropen(self->name, SHMBOX_RING_PRODUCER,
					    0, 0);

	EXPECT_EQ(-EINVAL, try_open(&o));
}

TEST(stat_unbound_fd_ebadfd)
{
	struct shmbox_region_stat st;
	int fd = shmbox_dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADFD, shmbox_region_stat(fd, &st));
	close(fd);
}

TEST_F(region, stat_nonzero_input_field_einval)
{
	struct shmbox_region_stat st;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SHMBOX_IOC_REGION_STAT, &st));
	EXPECT_EQ(EINVAL, errno);
}

TEST(mmap_unbound_fd_enodev)
{
	int fd = shmbox_dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(ENODEV, errno);
	close(fd);
}

TEST_F(region, mmap_private_einval)
{
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PG, PROT_READ, MAP_PRIVATE, self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(region, mmap_offset_past_end_einval)
{
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PG, PROT_READ, MAP_SHARED, self->fd,
				   4 * PG));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(region, mmap_length_past_end_einval)
{
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, self->fd,
				   3 * PG));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(region, mremap_cannot_grow)
{
	void *p = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, self->fd, 0);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(MAP_FAILED, mremap(p, 2 * PG, 4 * PG, MREMAP_MAYMOVE));
	munmap(p, 2 * PG);
}

TEST(unlink_missing_enoent)
{
	EXPECT_EQ(-ENOENT, shmbox_unlink("region-never-was", 0));
}

TEST_F(region, unlink_wrong_kind_emediumtype)
{
	EXPECT_EQ(-EMEDIUMTYPE, shmbox_unlink(self->name, SHMBOX_KIND_MAILBOX));
}

TEST(unlink_null_name_einval)
{
	struct shmbox_unlink u = { .size = sizeof(u) };
	int fd = shmbox_dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, SHMBOX_IOC_UNLINK, &u));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST(unlink_bad_kind_einval)
{
	EXPECT_EQ(-EINVAL, shmbox_unlink("region-x", 77));
}

TEST_HARNESS_MAIN
