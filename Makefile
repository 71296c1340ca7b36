# SPDX-License-Identifier: GPL-2.0
#
# shmbox top-level Makefile.  "make help" lists the targets.
#
# Everything built goes under $(B) (default: build/), which "make clean"
# removes.  The kernel module is built against $(KDIR), by default the
# newest installed Debian headers of the chosen series (KVER, KERNEL:
# /usr/src/linux-headers-<KVER>.*-amd64), not the build host's running
# kernel.

SHELL := /bin/bash
TOP := $(CURDIR)

# KVER=6.1|6.12: the Debian 12 kernel series everything is built for and
# booted on (default 6.12, the LTS kernel current systems run).  Each
# series has its own build tree, build/<KVER>.
KVER ?= 6.12
ifeq ($(filter $(KVER),6.1 6.12),)
$(error KVER must be 6.1 or 6.12)
endif
export KVER

# M32=1: userspace (library, tools, selftests) as i386 binaries, run on the
# 64-bit kernel through its compat ioctl path.  Built apart, in
# build/<KVER>/m32.
ifeq ($(M32),1)
B ?= $(TOP)/build/$(KVER)/m32
USER_ARCH := -m32
# kselftest_harness.h prints pointers through a 64-bit integer cast.
TEST_ARCH_CFLAGS := -Wno-pointer-to-int-cast
export SHMBOX_EXTRA_DEPS += gcc-multilib
else
B ?= $(TOP)/build/$(KVER)
USER_ARCH :=
endif

# KERNEL=stock: Debian's kernel of the series.  KERNEL=debug: the
# sanitizer/lockdep/kmemleak/fault-injection/KUnit test kernel built from
# linux-source-<KVER> (scripts/debug-kernel.sh, cached out of the tree).
# KERNEL=rt: Debian's PREEMPT_RT kernel of the series.  Each has its own
# build directory, since the module is built against its kernel.  "make
# deps" installs what the chosen kernel needs (scripts/deps.sh).
KERNEL ?= stock
export KERNEL
ifeq ($(KERNEL),debug)
B := $(B)/debug
KDIR ?= $(shell $(TOP)/scripts/debug-kernel.sh --kver $(KVER) --kdir)
VMLINUZ ?= $(shell $(TOP)/scripts/debug-kernel.sh --kver $(KVER) --image)
KERNEL_DEP := debug-kernel
TIMEOUT ?= 3600
# The module's KUnit results must be there; 100 load/unload cycles.
GUEST_ARGS := --append "sbx.kunit=1 sbx.cycles=100"
else ifeq ($(KERNEL),rt)
B := $(B)/rt
KDIR ?= $(shell $(TOP)/scripts/kdir.sh --kver $(KVER) --rt)
else ifneq ($(KERNEL),stock)
$(error KERNEL must be stock, debug or rt)
endif

# Lazily evaluated: "make deps" may have to install the headers first.
KDIR ?= $(shell $(TOP)/scripts/kdir.sh --kver $(KVER))
# The test kernel booted by QEMU: the image that matches $(KDIR).
VMLINUZ ?= $(shell $(TOP)/scripts/kdir.sh --image "$(KDIR)")

T ?=
TIMEOUT ?= 900
QEMU_ARGS ?=

LIB_SOVER := 1
LIB_VER := 1.5.0
# libshmbox-mq, the POSIX mq_* API on mailboxes (userspace/mq): its own
# soname and version, apart from libshmbox's.
MQ_SOVER := 1
MQ_VER := 1.0.0

CC := gcc
CXX := g++
USER_CPPFLAGS := -D_GNU_SOURCE -I$(TOP)/uapi -I$(TOP)/userspace/lib
USER_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror $(USER_ARCH) \
	$(USER_CPPFLAGS)
TEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror $(USER_ARCH) \
	$(TEST_ARCH_CFLAGS) \
	-Wno-unused-parameter -Wno-sign-compare $(USER_CPPFLAGS) -isystem $(B)/ksrc/selftests

UAPI_HDR := $(TOP)/uapi/linux/shmbox.h
LIB_HDRS := $(wildcard $(TOP)/userspace/lib/*.h)
LIB_SRCS := $(wildcard $(TOP)/userspace/lib/*.c)
LIB_OBJS := $(patsubst $(TOP)/userspace/lib/%.c,$(B)/lib/%.o,$(LIB_SRCS))
LIB_SO := $(B)/lib/libshmbox.so.$(LIB_VER)
LIB_A := $(B)/lib/libshmbox.a
MQ_HDRS := $(wildcard $(TOP)/userspace/mq/*.h)
MQ_OBJS := $(patsubst $(TOP)/userspace/mq/%.c,$(B)/mq/%.o,\
	$(wildcard $(TOP)/userspace/mq/*.c))
MQ_SO := $(B)/mq/libshmbox-mq.so.$(MQ_VER)
MQ_A := $(B)/mq/libshmbox-mq.a
TOOLS := $(patsubst $(TOP)/userspace/tools/%.c,$(B)/tools/%,\
	$(wildcard $(TOP)/userspace/tools/*.c))
SELFTESTS := $(patsubst $(TOP)/selftests/%.c,$(B)/selftests/%,\
	$(wildcard $(TOP)/selftests/*.c))
BENCH := $(B)/bench/shmbox-bench
KSRC_STAMP := $(B)/ksrc/.stamp
KMOD := $(B)/kmod
KO := $(KMOD)/shmbox.ko
INITRD := $(B)/initramfs.cpio.gz

.PHONY: all help deps debug-kernel stress fuzz fuzz-run module userspace lib mq tools selftests hdrtest bench bench-ab \
	check check-selftest vm demo lint clean posix-build posix-conformance FORCE

all: module userspace hdrtest stress

help:
	@echo 'make            build module, library, tools, selftests, header test'
	@echo 'make deps       install the Debian packages the project needs'
	@echo 'make check      build, boot the QEMU guest, run every selftest'
	@echo 'make check T=x  run only selftest binary x'
	@echo 'make check M32=1  the same with 32-bit userspace (compat ioctls)'
	@echo 'make check KERNEL=debug  on a KASAN/lockdep/kmemleak/KUnit kernel'
	@echo 'make check KERNEL=rt     on Debian'"'"'s PREEMPT_RT kernel'
	@echo 'make fuzz       trinity + shmbox-fuzz in the debug guest (FUZZ_SECONDS)'
	@echo 'make check-selftest  prove that make check can fail (KERNEL=debug: on a leak too)'
	@echo 'make demo       boot the guest and show processes using /dev/shmbox'
	@echo 'make bench      benchmark shmbox against mq, SysV msg, pipes, AF_UNIX, futex'
	@echo 'make bench-ab   the module at BASE= (A) against this tree'"'"'s (B) in one boot,'
	@echo '                AB_ROUNDS=3 rounds A,B,A,B..., BENCH_ARGS=; Markdown table; fails'
	@echo '                if a goal ratio is >5% worse by the median of the rounds'"'"' B/A'
	@echo '                (default BASE: where HEAD left main, HEAD~1 on main);'
	@echo '                AB_SPLIT=1: A,B per bench section (per --filter a+b part)'
	@echo 'make posix-conformance  the Open POSIX Test Suite'"'"'s mq_* tests in the guest,'
	@echo '                against the kernel'"'"'s mqueue and libshmbox-mq side by side;'
	@echo '                fails if one passes on the first only (POSIX_TIMEOUT=s per test)'
	@echo 'make vm         boot the guest with a shell'
	@echo 'make lint       checkpatch --strict, sparse (C=2) and W=1 builds'
	@echo 'make clean      remove build/'
	@echo 'make install    library, headers, libshmbox.pc, shmboxctl, man pages, udev rule'
	@echo '                (PREFIX=/usr/local DESTDIR=); make modules_install (KDIR=, DESTDIR=)'
	@echo 'make install-test  install into build/install-test, build a program with pkg-config'
	@echo 'make dkms-test  dkms add/build/install of the staged source against KDIR'
	@echo 'Variables: KVER=6.12|6.1 (kernel series, default 6.12) KERNEL=stock|debug|rt'
	@echo '           KDIR=<kernel build dir> VMLINUZ=<image> TIMEOUT=<s> M32=1'

deps:
	@$(TOP)/scripts/deps.sh

# ---- kernel module ----------------------------------------------------

module: $(KO)

$(KO): deps $(KERNEL_DEP) FORCE
	@$(TOP)/scripts/kmod-tree.sh $(TOP) $(KMOD)
	$(MAKE) -C $(KDIR) M=$(KMOD) modules

# KERNEL=debug: build the debug kernel unless the cached one is current.
debug-kernel: deps
	@$(TOP)/scripts/debug-kernel.sh --kver $(KVER) --build

# ---- userspace ----------------------------------------------------------

userspace: lib mq tools selftests $(BENCH)

lib: $(LIB_SO) $(LIB_A)

$(B)/lib/%.o: $(TOP)/userspace/lib/%.c $(LIB_HDRS) $(UAPI_HDR) | deps
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -fPIC -fvisibility=hidden -fno-semantic-interposition \
		-DSHMBOX_LIB_VERSION='"$(LIB_VER)"' -c -o $@ $<

# The version string comes from LIB_VER: rebuild it when that changes.
$(B)/lib/libshmbox.o: $(TOP)/Makefile

$(LIB_SO): $(LIB_OBJS) $(TOP)/userspace/lib/libshmbox.map
	$(CC) $(USER_ARCH) -shared -Wl,-soname,libshmbox.so.$(LIB_SOVER) \
		-Wl,--version-script=$(TOP)/userspace/lib/libshmbox.map \
		-Wl,-z,defs -o $@ $(LIB_OBJS) -lpthread
	ln -sf libshmbox.so.$(LIB_VER) $(B)/lib/libshmbox.so.$(LIB_SOVER)
	ln -sf libshmbox.so.$(LIB_SOVER) $(B)/lib/libshmbox.so

$(LIB_A): $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

# libshmbox-mq: no dependency on libshmbox (raw ioctls).  Its calls among
# its own functions bind inside it (static helpers, -Bsymbolic), never to
# libc's mq_* of the same names; <mqueue.h> declares pointers nonnull
# that Linux accepts as NULL (no timeout, no new attributes), so the
# compiler must not drop those tests.
mq: $(MQ_SO) $(MQ_A)

$(B)/mq/%.o: $(TOP)/userspace/mq/%.c $(MQ_HDRS) $(UAPI_HDR) | deps
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -fPIC -fvisibility=hidden -fno-semantic-interposition \
		-fno-delete-null-pointer-checks -DSHMBOX_MQ_VERSION='"$(MQ_VER)"' \
		-c -o $@ $<

$(B)/mq/mq.o: $(TOP)/Makefile

$(MQ_SO): $(MQ_OBJS) $(TOP)/userspace/mq/libshmbox-mq.map
	$(CC) $(USER_ARCH) -shared -Wl,-soname,libshmbox-mq.so.$(MQ_SOVER) \
		-Wl,--version-script=$(TOP)/userspace/mq/libshmbox-mq.map \
		-Wl,-z,defs -Wl,-Bsymbolic -o $@ $(MQ_OBJS) -lpthread
	ln -sf libshmbox-mq.so.$(MQ_VER) $(B)/mq/libshmbox-mq.so.$(MQ_SOVER)
	ln -sf libshmbox-mq.so.$(MQ_SOVER) $(B)/mq/libshmbox-mq.so

$(MQ_A): $(MQ_OBJS)
	rm -f $@
	ar rcs $@ $^

tools: $(TOOLS)

$(B)/tools/%: $(TOP)/userspace/tools/%.c $(LIB_SO) $(LIB_HDRS) $(UAPI_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< -L$(B)/lib -lshmbox -lpthread

$(BENCH): $(TOP)/userspace/bench/shmbox-bench.c $(LIB_SO) $(LIB_HDRS) $(UAPI_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< -L$(B)/lib -lshmbox -lpthread -lrt

# Stress programs (load/unload litter, structured fuzzer) go straight
# into the guest image through $(B)/extra.
STRESS := $(patsubst $(TOP)/userspace/stress/%.c,$(B)/extra/usr/bin/%,\
	$(wildcard $(TOP)/userspace/stress/*.c))

# The fuzz scripts; trinity itself is put into the image by mkinitramfs.sh
# for "make fuzz" (SHMBOX_TRINITY=1), so an image built before trinity was
# installed is never reused without it.
FUZZ_SCRIPTS := $(wildcard $(TOP)/scripts/fuzz/*)

stress: $(STRESS) $(B)/extra/fuzz/.stamp

$(B)/extra/fuzz/.stamp: $(FUZZ_SCRIPTS) | deps
	@mkdir -p $(@D)
	install -m 0755 $(FUZZ_SCRIPTS) $(@D)/
	@touch $@

$(B)/extra/usr/bin/%: $(TOP)/userspace/stress/%.c $(UAPI_HDR) | deps
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< -lpthread

$(KSRC_STAMP): | deps
	@$(TOP)/scripts/ksrc-extract.sh $(B)/ksrc
	@touch $@

# Programs the selftests exec (selftests/helpers/), not tests themselves:
# they go into the image's /usr/libexec/shmbox through $(B)/extra, and
# exec-inbox also as a setuid-root copy (mbox_id.c; the image is packed
# by root here, and cpio keeps owner and mode).
HELPER_DIR := $(B)/extra/usr/libexec/shmbox
HELPERS := $(patsubst $(TOP)/selftests/helpers/%.c,$(HELPER_DIR)/%,\
	$(wildcard $(TOP)/selftests/helpers/*.c)) $(HELPER_DIR)/exec-inbox-suid

selftests: $(SELFTESTS) $(HELPERS)

$(HELPER_DIR)/%: $(TOP)/selftests/helpers/%.c $(UAPI_HDR) | deps
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $<

$(HELPER_DIR)/exec-inbox-suid: $(HELPER_DIR)/exec-inbox
	install -m 4755 $< $@

$(B)/selftests/%: $(TOP)/selftests/%.c $(wildcard $(TOP)/selftests/*.h) $(LIB_SO) \
		$(LIB_HDRS) $(UAPI_HDR) $(KSRC_STAMP)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< -L$(B)/lib -lshmbox -lpthread

# mq.c tests libshmbox-mq through plain <mqueue.h> calls: -lshmbox-mq
# comes first, so its mq_* are the ones bound (libc's are never linked
# in: no -lrt); libshmbox only looks at the mailboxes.
$(B)/selftests/mq: $(TOP)/selftests/mq.c $(wildcard $(TOP)/selftests/*.h) $(MQ_SO) \
		$(MQ_HDRS) $(LIB_SO) $(LIB_HDRS) $(UAPI_HDR) $(KSRC_STAMP)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -I$(TOP)/userspace/mq -o $@ $< -L$(B)/mq -L$(B)/lib \
		-lshmbox-mq -lshmbox -lpthread

# The uapi header must stand alone, as C and as C++.
hdrtest: $(B)/hdrtest/.stamp

$(B)/hdrtest/.stamp: $(UAPI_HDR) | deps
	@mkdir -p $(@D)
	echo '#include <linux/shmbox.h>' | $(CC) -x c -std=c99 -pedantic \
		-Wall -Wextra -Werror -I$(TOP)/uapi -c -o $(@D)/c.o -
	echo '#include <linux/shmbox.h>' | $(CXX) -x c++ -std=c++11 \
		-pedantic -Wall -Wextra -Werror -I$(TOP)/uapi -c \
		-o $(@D)/cxx.o -
	@touch $@

# ---- QEMU guest ---------------------------------------------------------

$(INITRD): all FORCE
	@$(TOP)/scripts/mkinitramfs.sh $(TOP) $(B) $@

check: $(INITRD)
	@$(TOP)/scripts/qemu-run.sh --mode check --kernel "$(VMLINUZ)" \
		--initrd $(INITRD) --out $(B)/run --timeout $(TIMEOUT) \
		--tests "$(T)" $(GUEST_ARGS) $(QEMU_ARGS)

check-selftest: $(INITRD)
	@$(TOP)/scripts/check-selftest.sh $(TOP) $(B) "$(KDIR)" "$(VMLINUZ)"

demo: $(INITRD)
	@$(TOP)/scripts/qemu-run.sh --mode demo --kernel "$(VMLINUZ)" \
		--initrd $(INITRD) --out $(B)/demo --timeout $(TIMEOUT) \
		$(QEMU_ARGS)

# Benchmark in the guest: table and ratios on stdout; JSON, data and a PNG
# chart in $(B)/bench-run.  BENCH_ARGS="--reps N --scale X" tunes it.
BENCH_ARGS ?=
bench: $(INITRD)
	@$(TOP)/scripts/qemu-run.sh --mode bench --kernel "$(VMLINUZ)" \
		--initrd $(INITRD) --out $(B)/bench-run --timeout 1200 \
		--append "sbx.bench=$$(echo $(BENCH_ARGS) | tr ' ' ,)" $(QEMU_ARGS)
	@$(TOP)/scripts/bench-plot.sh $(B)/bench-run

# A/B benchmark in one guest boot: the module at BASE (A, built from an
# export under $(B)/bench-ab with the same kbuild call as $(KO)) against
# this tree's (B, $(KO)), AB_ROUNDS rounds of shmbox-bench (BENCH_ARGS),
# A then B in each (AB_SPLIT=1: each section of the bench in turn, A then
# B); this tree's bench and library for both.  The table
# goes to stdout and $(B)/bench-ab/run/bench-ab.md (scripts/bench-ab.sh).
BASE ?=
AB_ROUNDS ?= 3
AB_SPLIT ?=
export AB_SPLIT
AB := $(B)/bench-ab
bench-ab: $(INITRD)
	@set -e; a=$$($(TOP)/scripts/bench-ab.sh tree $(TOP) "$(BASE)" $(AB)); \
	$(MAKE) -C $(KDIR) M=$$a/kmod modules; \
	$(TOP)/scripts/bench-ab.sh stage $(TOP) $$a $(KO) $(AB)/run \
		"$(AB_ROUNDS)" "$(BENCH_ARGS)"
	@$(TOP)/scripts/qemu-run.sh --mode bench-ab --kernel "$(VMLINUZ)" \
		--initrd $(INITRD) --initrd $(AB)/run/ab.cpio.gz --out $(AB)/run \
		--timeout $$(($(AB_ROUNDS) * 1200)) \
		--append "sbx.ab_rounds=$(AB_ROUNDS) sbx.ab_split=$(AB_SPLIT) sbx.bench=$$(echo $(BENCH_ARGS) | tr ' ' ,)" \
		$(QEMU_ARGS)
	@$(TOP)/scripts/bench-ab.sh report $(AB)/run

# Fuzzing in the debug guest: trinity, then shmbox-fuzz, FUZZ_SECONDS
# each; any kernel report fails the run.
FUZZ_SECONDS ?= 180
fuzz:
	@SHMBOX_EXTRA_DEPS="$$SHMBOX_EXTRA_DEPS trinity" $(TOP)/scripts/deps.sh
	$(MAKE) KERNEL=debug fuzz-run

fuzz-run: export SHMBOX_TRINITY := 1
fuzz-run: $(INITRD)
	@$(TOP)/scripts/qemu-run.sh --mode fuzz --kernel "$(VMLINUZ)" \
		--initrd $(INITRD) --out $(B)/fuzz --timeout $$(($(FUZZ_SECONDS) * 4 + 900)) \
		--append "sbx.fuzz_secs=$(FUZZ_SECONDS)" $(QEMU_ARGS)

vm: $(INITRD)
	@$(TOP)/scripts/qemu-run.sh --mode vm --kernel "$(VMLINUZ)" \
		--initrd $(INITRD) --out $(B)/vm --timeout 0 $(QEMU_ARGS)

# The Open POSIX Test Suite's mq_* conformance tests (Debian's source
# package posixtestsuite, fetched into $SHMBOX_CACHE, never committed),
# each built unmodified and statically twice, against libc's mq (the
# kernel's mqueue) and against libshmbox-mq, and run in one guest boot
# (sbx.mode=posix), each alone with a timeout of POSIX_TIMEOUT seconds.
# The table goes to stdout and $(B)/posix-run/posix-conformance.md; the
# target fails when a test passes against the kernel's mqueue but not
# against libshmbox-mq, unless scripts/posix-exceptions.txt lists it
# (scripts/posix-tests.sh).  The binaries reach the guest in an initramfs
# appendix of their own ($(PTS)/posix.cpio.gz), never in make check's.
PTS := $(B)/posix
POSIX_TIMEOUT ?= 30
# A FAIL or UNRESOLVED is tried again up to this many times, to tell a
# steady failure from a flaky one; the first try is the verdict, but for
# the tests scripts/posix-exceptions.txt names racy (races of the tests'
# own, which any implementation loses now and then), where any try is.
POSIX_RETRIES ?= 4
POSIX_GUEST_TIMEOUT ?= 1800
POSIX_EXCEPTIONS := $(TOP)/scripts/posix-exceptions.txt

$(PTS)/pts-run: $(TOP)/userspace/posix/pts-run.c | deps
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ $<

posix-build: $(PTS)/pts-run $(MQ_A) | deps
	@src=$$($(TOP)/scripts/posix-tests.sh fetch) && \
	$(TOP)/scripts/posix-tests.sh build "$$src" $(PTS) $(MQ_A) "$(USER_ARCH)"

posix-conformance: $(INITRD) posix-build
	@rc=0; \
	$(TOP)/scripts/qemu-run.sh --mode posix --kernel "$(VMLINUZ)" \
		--initrd $(INITRD) --initrd $(PTS)/posix.cpio.gz --out $(B)/posix-run \
		--timeout $(POSIX_GUEST_TIMEOUT) --append "sbx.posix_timeout=$(POSIX_TIMEOUT) sbx.posix_retries=$(POSIX_RETRIES)" \
		$(QEMU_ARGS) || rc=1; \
	$(TOP)/scripts/posix-tests.sh report $(B)/posix-run $(PTS) $(POSIX_EXCEPTIONS) || rc=1; \
	exit $$rc

# ---- quality gates --------------------------------------------------

lint: $(KSRC_STAMP)
	@$(TOP)/scripts/lint.sh $(TOP) $(B) "$(KDIR)"

clean:
	rm -rf $(B)

include $(TOP)/install.mk
