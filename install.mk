# SPDX-License-Identifier: GPL-2.0
#
# Installation, included by the top-level Makefile (which defines the
# build variables used here: B, KDIR, KMOD, KO, LIB_SO, LIB_A, LIB_VER,
# LIB_SOVER, MQ_SO, MQ_A, MQ_VER, MQ_SOVER, UAPI_HDR).
#
#   make install [PREFIX=/usr/local] [DESTDIR=]   libraries (libshmbox
#	.so.1.5.0 and libshmbox-mq .so.1.0.0, soname links, .a), headers,
#	libshmbox.pc and libshmbox-mq.pc, shmboxctl, man pages, udev rule
#   make modules_install [KDIR=] [DESTDIR=]      shmbox.ko under
#	/lib/modules/<release>/updates, then depmod
#   make install-test        install into a scratch DESTDIR and build a
#	program there with nothing but pkg-config --cflags --libs libshmbox,
#	and a plain <mqueue.h> program with pkg-config ... libshmbox-mq
#
# Headers: libshmbox.h goes to $(INCLUDEDIR), the uapi header to
# $(INCLUDEDIR)/shmbox/linux/shmbox.h (not $(INCLUDEDIR)/linux, which
# belongs to the system's kernel headers); the .pc file's Cflags add both
# directories, so <libshmbox.h> and <linux/shmbox.h> both resolve.
# shmbox-mq.h (libshmbox-mq's extras beside <mqueue.h>) goes to
# $(INCLUDEDIR) too; libshmbox-mq.pc needs no other directory.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# udev does not read /usr/local: the rule goes where the admin's rules go.
UDEVRULESDIR ?= /etc/udev/rules.d
INSTALL ?= install
DEPMOD ?= /sbin/depmod

MAN_PAGES := $(wildcard $(TOP)/man/*.[0-9])
CTL := $(B)/tools/shmboxctl
PC := $(B)/lib/libshmbox.pc
MQ_PC := $(B)/mq/libshmbox-mq.pc
PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|'

.PHONY: install install-lib install-headers install-tools install-man \
	install-udev modules_install install-test install-dkms dkms-test uninstall

$(PC): $(TOP)/packaging/libshmbox.pc.in $(TOP)/install.mk FORCE
	@mkdir -p $(@D)
	$(PC_SED) -e 's|@VERSION@|$(LIB_VER)|' $< > $@.tmp && mv $@.tmp $@

$(MQ_PC): $(TOP)/packaging/libshmbox-mq.pc.in $(TOP)/install.mk FORCE
	@mkdir -p $(@D)
	$(PC_SED) -e 's|@VERSION@|$(MQ_VER)|' $< > $@.tmp && mv $@.tmp $@

install: install-lib install-headers install-tools install-man install-udev

install-lib: $(LIB_SO) $(LIB_A) $(PC) $(MQ_SO) $(MQ_A) $(MQ_PC)
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR)
	$(INSTALL) -m 0755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libshmbox.so.$(LIB_VER) $(DESTDIR)$(LIBDIR)/libshmbox.so.$(LIB_SOVER)
	ln -sf libshmbox.so.$(LIB_SOVER) $(DESTDIR)$(LIBDIR)/libshmbox.so
	$(INSTALL) -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 0644 $(PC) $(DESTDIR)$(PKGCONFIGDIR)/
	$(INSTALL) -m 0755 $(MQ_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libshmbox-mq.so.$(MQ_VER) $(DESTDIR)$(LIBDIR)/libshmbox-mq.so.$(MQ_SOVER)
	ln -sf libshmbox-mq.so.$(MQ_SOVER) $(DESTDIR)$(LIBDIR)/libshmbox-mq.so
	$(INSTALL) -m 0644 $(MQ_A) $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 0644 $(MQ_PC) $(DESTDIR)$(PKGCONFIGDIR)/
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then \
		ldconfig; fi

install-headers:
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(INCLUDEDIR)/shmbox/linux
	$(INSTALL) -m 0644 $(TOP)/userspace/lib/libshmbox.h \
		$(TOP)/userspace/mq/shmbox-mq.h $(DESTDIR)$(INCLUDEDIR)/
	$(INSTALL) -m 0644 $(UAPI_HDR) $(DESTDIR)$(INCLUDEDIR)/shmbox/linux/

install-tools: $(CTL)
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 0755 $(CTL) $(DESTDIR)$(BINDIR)/

install-man:
	@for p in $(MAN_PAGES); do \
		s=$${p##*.}; \
		echo "$(INSTALL) -m 0644 $$p $(DESTDIR)$(MANDIR)/man$$s/"; \
		$(INSTALL) -d $(DESTDIR)$(MANDIR)/man$$s && \
		$(INSTALL) -m 0644 $$p $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; \
	done

install-udev:
	$(INSTALL) -d $(DESTDIR)$(UDEVRULESDIR)
	$(INSTALL) -m 0644 $(TOP)/packaging/60-shmbox.rules $(DESTDIR)$(UDEVRULESDIR)/

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libshmbox.so* $(DESTDIR)$(LIBDIR)/libshmbox.a \
		$(DESTDIR)$(LIBDIR)/libshmbox-mq.so* $(DESTDIR)$(LIBDIR)/libshmbox-mq.a \
		$(DESTDIR)$(PKGCONFIGDIR)/libshmbox.pc \
		$(DESTDIR)$(PKGCONFIGDIR)/libshmbox-mq.pc \
		$(DESTDIR)$(INCLUDEDIR)/libshmbox.h \
		$(DESTDIR)$(INCLUDEDIR)/shmbox-mq.h \
		$(DESTDIR)$(INCLUDEDIR)/shmbox/linux/shmbox.h \
		$(DESTDIR)$(BINDIR)/shmboxctl \
		$(DESTDIR)$(UDEVRULESDIR)/60-shmbox.rules
	for p in $(notdir $(MAN_PAGES)); do \
		rm -f $(DESTDIR)$(MANDIR)/man$${p##*.}/$$p; done
	-rmdir $(DESTDIR)$(INCLUDEDIR)/shmbox/linux $(DESTDIR)$(INCLUDEDIR)/shmbox

# The module for a real host: build it against KDIR (say
# KDIR=/lib/modules/$(uname -r)/build), install it where the distribution
# keeps out-of-tree modules and refresh modules.dep for that kernel (its
# release as the module's vermagic says: utsrelease.h, which Debian's
# headers keep while their "make kernelrelease" reports the upstream one).
modules_install: $(KO)
	$(MAKE) -C $(KDIR) M=$(KMOD) INSTALL_MOD_DIR=updates \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	$(DEPMOD) $(if $(DESTDIR),-b $(DESTDIR)) -a "$$(sed -n \
		's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)"

# Install into a scratch tree and build a program with pkg-config alone,
# dynamically and statically; run the dynamic one against the installed
# library.  The same for a plain POSIX mq program with libshmbox-mq.pc:
# the dynamic one must need libshmbox-mq.so.1 (so that its mq_* are not
# libc's), the static one must link (libshmbox-mq.a before libc.a); both
# run (without /dev/shmbox, as on the build host, their mq_open() must
# fail with libshmbox-mq's ENOSYS).
IT := $(B)/install-test
install-test:
	@SHMBOX_EXTRA_DEPS=pkgconf $(TOP)/scripts/deps.sh
	rm -rf $(IT)
	$(MAKE) --no-print-directory install DESTDIR=$(IT)/root PREFIX=/usr/local
	set -e; root=$(IT)/root; \
	export PKG_CONFIG_SYSROOT_DIR=$$root PKG_CONFIG_LIBDIR=$$root/usr/local/lib/pkgconfig; \
	flags="$$(pkg-config --cflags --libs libshmbox)"; \
	echo "  PKGCONF libshmbox: $$flags"; \
	want="-DEXPECTED_VERSION=\"$$(pkg-config --modversion libshmbox)\""; \
	$(CC) $(USER_ARCH) -std=c11 -Wall -Wextra -Werror "$$want" -o $(IT)/prog \
		$(TOP)/packaging/install-test.c $$flags; \
	$(CC) $(USER_ARCH) -std=c11 -Wall -Wextra -Werror "$$want" -static -o $(IT)/prog-static \
		$(TOP)/packaging/install-test.c \
		$$(pkg-config --static --cflags --libs libshmbox); \
	echo '#include <libshmbox.h>' | $(CXX) $(USER_ARCH) -x c++ -std=c++11 -Wall -Werror \
		$$(pkg-config --cflags libshmbox) -fsyntax-only -; \
	test "$$(readelf -d $$root/usr/local/lib/libshmbox.so.$(LIB_VER) | \
		sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')" = libshmbox.so.$(LIB_SOVER); \
	test "$$(readlink $$root/usr/local/lib/libshmbox.so)" = libshmbox.so.$(LIB_SOVER); \
	test -x $$root/usr/local/bin/shmboxctl; \
	test -f $$root/etc/udev/rules.d/60-shmbox.rules; \
	for p in $(notdir $(MAN_PAGES)); do \
		test -f $$root/usr/local/share/man/man$${p##*.}/$$p; done; \
	LD_LIBRARY_PATH=$$root/usr/local/lib $(IT)/prog; \
	$(IT)/prog-static; \
	! ldd $(IT)/prog | grep -q '$(TOP)/build'; \
	mqflags="$$(pkg-config --cflags --libs libshmbox-mq)"; \
	echo "  PKGCONF libshmbox-mq: $$mqflags"; \
	$(CC) $(USER_ARCH) -std=c11 -Wall -Wextra -Werror -o $(IT)/mq-prog \
		$(TOP)/packaging/install-test-mq.c $$mqflags; \
	$(CC) $(USER_ARCH) -std=c11 -Wall -Wextra -Werror -static -o $(IT)/mq-prog-static \
		$(TOP)/packaging/install-test-mq.c \
		$$(pkg-config --static --cflags --libs libshmbox-mq); \
	echo '#include <shmbox-mq.h>' | $(CXX) $(USER_ARCH) -x c++ -std=c++11 -Wall -Werror \
		$$(pkg-config --cflags libshmbox-mq) -fsyntax-only -; \
	readelf -d $(IT)/mq-prog | grep -q 'NEEDED.*\[libshmbox-mq\.so\.$(MQ_SOVER)\]'; \
	test "$$(readelf -d $$root/usr/local/lib/libshmbox-mq.so.$(MQ_VER) | \
		sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')" = libshmbox-mq.so.$(MQ_SOVER); \
	test "$$(readlink $$root/usr/local/lib/libshmbox-mq.so)" = libshmbox-mq.so.$(MQ_SOVER); \
	test -f $$root/usr/local/lib/libshmbox-mq.a; \
	LD_LIBRARY_PATH=$$root/usr/local/lib $(IT)/mq-prog; \
	$(IT)/mq-prog-static
	@echo "  INSTALL-TEST ok ($(IT))"

# The module's sources where DKMS looks for them (/usr/src/shmbox-1.5.0):
# then "dkms add/build/install -m shmbox -v 1.5.0" (see dkms.conf).
DKMS_SRC ?= /usr/src/shmbox-$(LIB_VER)
install-dkms:
	$(INSTALL) -d $(DESTDIR)$(DKMS_SRC)/module $(DESTDIR)$(DKMS_SRC)/uapi/linux
	$(INSTALL) -m 0644 $(TOP)/Kbuild $(TOP)/dkms.conf $(DESTDIR)$(DKMS_SRC)/
	$(INSTALL) -m 0644 $(wildcard $(TOP)/module/*.[ch]) $(DESTDIR)$(DKMS_SRC)/module/
	$(INSTALL) -m 0644 $(UAPI_HDR) $(DESTDIR)$(DKMS_SRC)/uapi/linux/

# The DKMS proof: stage the sources as install-dkms does, then dkms add,
# build and install them against $(KDIR) in scratch trees
# (scripts/dkms-test.sh); KVER= and KERNEL= pick the header set.
dkms-test: $(KERNEL_DEP)
	@SHMBOX_EXTRA_DEPS=dkms $(TOP)/scripts/deps.sh
	@$(TOP)/scripts/dkms-test.sh $(TOP) $(B)/dkms-test "$(KDIR)"
