// SPDX-License-Identifier: GPL-2.0
/*
 * mbox_inval: invalid input to the mailbox ioctls, as one table of
 * variants of the mb fixture.  Each row names an ioctl, the one field of
 * its otherwise valid argument that is wrong, and the errno it must get;
 * each row is a subtest of its own (mb.<row>.refused).  A refused call changes nothing: the mailbox
 * stays empty with no counts, an open leaves its fd unbound, and a
 * refused stat writes nothing back.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mbox_util.h"

/*
 * The argument starts valid for @cmd (see inval_arg()); a field named in
 * a row replaces the one of that name: flags, pad, prio, pid, uid, id,
 * max_msg_size and received as given, capacity, mode and size where
 * non-zero, and tail (open, send: a larger struct with it in the word
 * after).  For the vector calls prio and pid are the one message's,
 * count, msg_size and id always the row's, and msgs (if set) replaces the
 * array; with a msg_size the one message is a struct shmbox_mbox_msgx
 * with the row's entry_id and entry_handle, and entry_tail in the word
 * after it.  nr_handles and pad2 (ABI 1.4) are the send's, the
 * receive's or the one entry's.  For stat, id is inbox_id, and
 * stat_handles and stat_pad its handles and pad.
 */
FIXTURE_VARIANT(mb) {
	unsigned long cmd;
	unsigned int flags;
	unsigned int pad;
	unsigned int prio;
	int pid;
	unsigned int uid;
	uint64_t id;
	unsigned int size;
	/* open */
	const char *name;
	unsigned int name_len;		/* name, then this many 'n's */
	unsigned int capacity;
	unsigned int mode;
	unsigned int max_msg_size;
	int tail;			/* a larger struct, non-zero after */
	/* recv */
	int from_me;			/* pid = getpid() */
	/* sendv, recvv */
	unsigned int count;
	const char *payload;		/* the message, or none */
	const void *msgs;
	unsigned int msg_size;
	uint64_t entry_id;
	uint64_t entry_tail;
	uint64_t entry_handle;
	/* send, recv, the vector's entry */
	unsigned int nr_handles;
	unsigned int pad2;
	/* stat */
	unsigned int received;
	unsigned int stat_handles;
	unsigned int stat_pad;
	/* notify */
	unsigned int kind;
	int signo;
	uint64_t value;
	int efd;
	int efd_self;
	int err;
};

#define OPEN	.cmd = SHMBOX_IOC_MBOX_OPEN
#define SEND	.cmd = SHMBOX_IOC_MBOX_SEND
#define RECV	.cmd = SHMBOX_IOC_MBOX_RECV
#define SENDV	.cmd = SHMBOX_IOC_MBOX_SENDV
#define RECVV	.cmd = SHMBOX_IOC_MBOX_RECVV
#define STAT	.cmd = SHMBOX_IOC_MBOX_STAT
#define NOTIFY	.cmd = SHMBOX_IOC_MBOX_NOTIFY

/* ---- open: over oarg(NULL, 0, 1, 0600) -------------------------------- */

FIXTURE_VARIANT_ADD(mb, open_unknown_flag_einval) {
	OPEN, .flags = 1U << 30, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, open_nonzero_pad_einval) {
	OPEN, .pad = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, open_capacity_too_big_einval) {
	OPEN, .capacity = SHMBOX_MBOX_CAPACITY_MAX + 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, open_max_msg_size_too_big_einval) {
	OPEN, .max_msg_size = 0xffffffff, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, open_bad_mode_einval) {
	OPEN, .mode = 01600, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, open_excl_without_creat_einval) {
	OPEN, .flags = SHMBOX_O_EXCL, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, open_inbox_with_name_einval) {
	OPEN, .flags = SHMBOX_MBOX_INBOX | SHMBOX_O_CREAT, .name = "x",
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, open_inbox_autoremove_einval) {
	OPEN, .flags = SHMBOX_MBOX_INBOX | SHMBOX_O_CREAT | SHMBOX_O_AUTOREMOVE,
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, open_empty_name_einval) {
	OPEN, .flags = SHMBOX_O_CREAT, .name = "", .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, open_name_with_slash_einval) {
	OPEN, .flags = SHMBOX_O_CREAT, .name = "a/b", .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, open_name_too_long_enametoolong) {
	OPEN, .flags = SHMBOX_O_CREAT, .name_len = 299, .err = ENAMETOOLONG,
};
FIXTURE_VARIANT_ADD(mb, open_slash_alone_einval) {
	OPEN, .flags = SHMBOX_O_CREAT, .name = "/", .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, open_posix_name_with_inner_slash_einval) {
	OPEN, .flags = SHMBOX_O_CREAT, .name = "/a/b", .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, open_posix_name_too_long_enametoolong) {
	/* '/' and SHMBOX_NAME_MAX + 1 bytes: the '/' is not counted. */
	OPEN, .flags = SHMBOX_O_CREAT, .name = "/", .name_len = 256,
	.err = ENAMETOOLONG,
};
FIXTURE_VARIANT_ADD(mb, open_bad_name_pointer_efault) {
	OPEN, .flags = SHMBOX_O_CREAT, .name = (const char *)16, .err = EFAULT,
};
FIXTURE_VARIANT_ADD(mb, open_size_below_ver0_einval) {
	OPEN, .size = SHMBOX_MBOX_OPEN_SIZE_VER0 - 4, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, open_nonzero_tail_e2big) {
	OPEN, .tail = 1, .err = E2BIG,
};

/* ---- send: over sarg("x", 1, 0, 0) ------------------------------------- */

FIXTURE_VARIANT_ADD(mb, send_unknown_flag_einval) {
	SEND, .flags = 1U << 20, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, send_nonzero_pad_einval) {
	SEND, .pad = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, send_prio_too_high_einval) {
	SEND, .prio = SHMBOX_MSG_PRIO_MAX, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, send_negative_pid_einval) {
	SEND, .pid = -1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, send_size_below_ver0_einval) {
	SEND, .size = 8, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, send_to_id_zero_einval) {
	SEND, .flags = SHMBOX_MSG_TO_ID, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, send_id_without_to_id_einval) {
	SEND, .id = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, send_to_id_with_pid_einval) {
	SEND, .flags = SHMBOX_MSG_TO_ID, .id = 1, .pid = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, send_nonzero_pad2_einval) {
	SEND, .pad2 = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, send_nr_handles_above_max_einval) {
	SEND, .nr_handles = SHMBOX_MSG_HANDLES_MAX + 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, send_whole_flag_einval) {
	SEND, .flags = SHMBOX_MSG_WHOLE, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, send_nonzero_tail_past_ver2_e2big) {
	SEND, .tail = 1, .err = E2BIG,
};

/* ---- recv: over rarg(buf, 8, 0) ---------------------------------------- */

FIXTURE_VARIANT_ADD(mb, recv_unknown_flag_einval) {
	RECV, .flags = 1U << 20, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recv_from_without_pid_einval) {
	RECV, .flags = SHMBOX_MSG_FROM, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recv_pid_without_from_einval) {
	RECV, .from_me = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recv_nonzero_prio_einval) {
	RECV, .prio = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recv_nonzero_uid_einval) {
	RECV, .uid = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recv_nonzero_id_einval) {
	RECV, .id = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recv_to_id_flag_einval) {
	RECV, .flags = SHMBOX_MSG_TO_ID, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recv_nonzero_pad2_einval) {
	RECV, .flags = SHMBOX_MSG_NONBLOCK, .pad2 = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recv_nr_handles_above_max_einval) {
	RECV, .flags = SHMBOX_MSG_NONBLOCK,
	.nr_handles = SHMBOX_MSG_HANDLES_MAX + 1, .err = EINVAL,
};

/* ---- sendv, recvv: non-blocking, over one empty message ----------------- */

FIXTURE_VARIANT_ADD(mb, vec_zero_count_einval) {
	SENDV, .count = 0, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, vec_count_too_big_einval) {
	RECVV, .count = SHMBOX_MBOX_VEC_MAX + 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recvv_peek_einval) {
	RECVV, .count = 1, .flags = SHMBOX_MSG_PEEK, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, sendv_whole_flag_einval) {
	SENDV, .count = 1, .payload = "x", .flags = SHMBOX_MSG_WHOLE,
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recvv_whole_flag_einval) {
	RECVV, .count = 1, .flags = SHMBOX_MSG_WHOLE, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, sendv_entry_with_pid_einval) {
	SENDV, .count = 1, .payload = "x", .pid = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, sendv_entry_prio_too_high_einval) {
	SENDV, .count = 1, .payload = "x", .prio = SHMBOX_MSG_PRIO_MAX,
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, vec_bad_array_pointer_efault) {
	SENDV, .count = 1, .msgs = (void *)16, .err = EFAULT,
};
FIXTURE_VARIANT_ADD(mb, vec_nonzero_pad_einval) {
	SENDV, .count = 1, .payload = "x", .pad = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, vec_msg_size_not_words_einval) {
	RECVV, .count = 1, .msg_size = 36, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, vec_msg_size_too_small_einval) {
	SENDV, .count = 1, .payload = "x", .msg_size = 16, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, vec_msg_size_too_big_einval) {
	RECVV, .count = 1, .msg_size = SHMBOX_MBOX_MSG_SIZE_MAX + 8,
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, sendv_to_id_zero_einval) {
	SENDV, .count = 1, .payload = "x", .flags = SHMBOX_MSG_TO_ID,
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, sendv_id_without_to_id_einval) {
	SENDV, .count = 1, .payload = "x", .id = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recvv_to_id_einval) {
	RECVV, .count = 1, .flags = SHMBOX_MSG_TO_ID, .id = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recvv_nonzero_id_einval) {
	RECVV, .count = 1, .id = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, sendv_entry_with_id_einval) {
	SENDV, .count = 1, .payload = "x", .msg_size = 32, .entry_id = 1,
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recvv_entry_with_id_einval) {
	RECVV, .count = 1, .msg_size = 32, .entry_id = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, sendv_entry_unknown_tail_e2big) {
	SENDV, .count = 1, .payload = "x",
	.msg_size = SHMBOX_MBOX_MSGX_SIZE_VER3 + 8, .entry_tail = 1,
	.err = E2BIG,
};
FIXTURE_VARIANT_ADD(mb, sendv_entry_with_handle_einval) {
	SENDV, .count = 1, .payload = "x",
	.msg_size = SHMBOX_MBOX_MSGX_SIZE_VER2, .entry_handle = 1,
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recvv_entry_with_handle_einval) {
	RECVV, .count = 1, .msg_size = SHMBOX_MBOX_MSGX_SIZE_VER2,
	.entry_handle = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, sendv_entry_nonzero_pad2_einval) {
	SENDV, .count = 1, .payload = "x",
	.msg_size = SHMBOX_MBOX_MSGX_SIZE_VER3, .pad2 = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, sendv_entry_nr_handles_above_max_einval) {
	SENDV, .count = 1, .payload = "x",
	.msg_size = SHMBOX_MBOX_MSGX_SIZE_VER3,
	.nr_handles = SHMBOX_MSG_HANDLES_MAX + 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recvv_entry_nonzero_pad2_einval) {
	RECVV, .count = 1, .msg_size = SHMBOX_MBOX_MSGX_SIZE_VER3,
	.pad2 = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, recvv_entry_nr_handles_above_max_einval) {
	RECVV, .count = 1, .msg_size = SHMBOX_MBOX_MSGX_SIZE_VER3,
	.nr_handles = SHMBOX_MSG_HANDLES_MAX + 1, .err = EINVAL,
};

/* ---- stat: over a zeroed struct of its size ---------------------------- */

FIXTURE_VARIANT_ADD(mb, stat_nonzero_flags_einval) {
	STAT, .flags = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, stat_nonzero_output_field_einval) {
	STAT, .received = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, stat_nonzero_inbox_id_einval) {
	STAT, .id = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, stat_nonzero_handles_einval) {
	STAT, .stat_handles = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, stat_nonzero_pad_einval) {
	STAT, .stat_pad = 1, .err = EINVAL,
};

/* ---- notify: over a removal (SHMBOX_NOTIFY_REMOVE, all else 0) ---------- */

FIXTURE_VARIANT_ADD(mb, notify_size_below_ver0_einval) {
	NOTIFY, .size = SHMBOX_MBOX_NOTIFY_SIZE_VER0 - 4, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, notify_nonzero_tail_e2big) {
	NOTIFY, .tail = 1, .err = E2BIG,
};
FIXTURE_VARIANT_ADD(mb, notify_unknown_flag_einval) {
	NOTIFY, .flags = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, notify_nonzero_pad_einval) {
	NOTIFY, .kind = SHMBOX_NOTIFY_NONE, .pad = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, notify_unknown_kind_einval) {
	NOTIFY, .kind = SHMBOX_NOTIFY_EVENTFD + 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, notify_signal_negative_signo_einval) {
	NOTIFY, .kind = SHMBOX_NOTIFY_SIGNAL, .signo = -1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, notify_signal_signo_above_64_einval) {
	NOTIFY, .kind = SHMBOX_NOTIFY_SIGNAL, .signo = 65, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, notify_signal_with_eventfd_einval) {
	NOTIFY, .kind = SHMBOX_NOTIFY_SIGNAL, .signo = SIGUSR1, .efd = 1,
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, notify_none_with_signo_einval) {
	NOTIFY, .kind = SHMBOX_NOTIFY_NONE, .signo = SIGUSR1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, notify_none_with_value_einval) {
	NOTIFY, .kind = SHMBOX_NOTIFY_NONE, .value = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, notify_none_with_eventfd_einval) {
	NOTIFY, .kind = SHMBOX_NOTIFY_NONE, .efd = 1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, notify_remove_with_signo_einval) {
	NOTIFY, .kind = SHMBOX_NOTIFY_REMOVE, .signo = SIGUSR1, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, notify_eventfd_with_signo_einval) {
	NOTIFY, .kind = SHMBOX_NOTIFY_EVENTFD, .efd_self = 1, .signo = SIGUSR1,
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, notify_eventfd_with_value_einval) {
	NOTIFY, .kind = SHMBOX_NOTIFY_EVENTFD, .efd_self = 1, .value = 1,
	.err = EINVAL,
};
FIXTURE_VARIANT_ADD(mb, notify_eventfd_not_open_ebadf) {
	NOTIFY, .kind = SHMBOX_NOTIFY_EVENTFD, .efd = -1, .err = EBADF,
};
FIXTURE_VARIANT_ADD(mb, notify_eventfd_not_an_eventfd_einval) {
	NOTIFY, .kind = SHMBOX_NOTIFY_EVENTFD, .efd_self = 1, .err = EINVAL,
};

/* ---- a command the mailbox does not have ------------------------------- */

FIXTURE_VARIANT_ADD(mb, unknown_mailbox_command_enotty) {
	.cmd = _IO(SHMBOX_IOC_MAGIC, 0x3f), .err = ENOTTY,
};

/* Every argument struct of a mailbox ioctl, and what they point to. */
struct inval_arg {
	union {
		struct {
			struct shmbox_mbox_open o;
			uint64_t tail;
		} open;
		struct {
			struct shmbox_mbox_send s;
			uint64_t tail;
		} send;
		struct shmbox_mbox_recv recv;
		struct shmbox_mbox_vec vec;
		struct shmbox_mbox_stat stat;
		struct {
			struct shmbox_mbox_notify n;
			uint64_t tail;
		} notify;
	};
	char name[300];
	char buf[8];
	struct shmbox_mbox_msg m[1];
	struct {
		struct shmbox_mbox_msgx x;
		uint64_t tail;
	} mx[1];
};

static void open_arg(const FIXTURE_VARIANT(mb) *v, struct inval_arg *a)
{
	struct shmbox_mbox_open *o = &a->open.o;

	*o = oarg(v->name, v->flags, 1, 0600);
	if (v->name_len) {
		/* The row's name, if any, then name_len 'n's. */
		size_t pre = v->name ? strlen(v->name) : 0;

		memcpy(a->name, v->name ? v->name : "", pre);
		memset(a->name + pre, 'n', v->name_len);
		a->name[pre + v->name_len] = 0;
		o->name = (uintptr_t)a->name;
	}
	if (v->capacity)
		o->capacity = v->capacity;
	if (v->mode)
		o->mode = v->mode;
	o->pad = v->pad;
	o->max_msg_size = v->max_msg_size;
	a->open.tail = v->tail;
	if (v->tail)
		o->size = sizeof(a->open);
}

/* The one message of a vector row: a version-0 entry, or one of msg_size. */
static void *vec_entry(const FIXTURE_VARIANT(mb) *v, struct inval_arg *a)
{
	struct shmbox_mbox_msgx *x = &a->mx[0].x;

	if (v->payload) {
		x->buf = (uintptr_t)v->payload;
		x->len = strlen(v->payload);
	}
	x->prio = v->prio;
	x->pid = v->pid;
	x->id = v->entry_id;
	x->handle = v->entry_handle;
	x->nr_handles = v->nr_handles;
	x->pad2 = v->pad2;
	a->mx[0].tail = v->entry_tail;
	if (v->msg_size)
		return a->mx;
	memcpy(a->m, x, sizeof(a->m[0]));
	return a->m;
}

static void vec_arg(const FIXTURE_VARIANT(mb) *v, struct inval_arg *a)
{
	void *entry = vec_entry(v, a);

	a->vec.size = sizeof(a->vec);
	a->vec.flags = v->flags | SHMBOX_MSG_NONBLOCK;
	a->vec.msgs = (uintptr_t)(v->msgs ? v->msgs : entry);
	a->vec.count = v->count;
	a->vec.msg_size = v->msg_size;
	a->vec.pad = v->pad;
	a->vec.id = v->id;
}

static void notify_arg(const FIXTURE_VARIANT(mb) *v, struct inval_arg *a,
		       int fd)
{
	struct shmbox_mbox_notify *n = &a->notify.n;

	n->size = sizeof(*n);
	n->flags = v->flags;
	n->notify = v->kind;
	n->signo = v->signo;
	n->value = v->value;
	n->eventfd = v->efd_self ? fd : v->efd;
	n->pad = v->pad;
	a->notify.tail = v->tail;
	if (v->tail)
		n->size = sizeof(a->notify);
}

/* @v's argument in @a, valid but for the row's field; its size field. */
static uint32_t *inval_arg(const FIXTURE_VARIANT(mb) *v,
			   struct inval_arg *a, int fd)
{
	memset(a, 0, sizeof(*a));
	switch (v->cmd) {
	case SHMBOX_IOC_MBOX_OPEN:
		open_arg(v, a);
		return &a->open.o.size;
	case SHMBOX_IOC_MBOX_SEND:
		a->send.s = sarg("x", 1, v->prio, v->flags);
		a->send.s.pid = v->pid;
		a->send.s.pad = v->pad;
		a->send.s.id = v->id;
		a->send.s.nr_handles = v->nr_handles;
		a->send.s.pad2 = v->pad2;
		a->send.tail = v->tail;
		if (v->tail)
			a->send.s.size = sizeof(a->send);
		return &a->send.s.size;
	case SHMBOX_IOC_MBOX_RECV:
		a->recv = rarg(a->buf, sizeof(a->buf), v->flags);
		a->recv.pid = v->from_me ? getpid() : 0;
		a->recv.prio = v->prio;
		a->recv.uid = v->uid;
		a->recv.id = v->id;
		a->recv.nr_handles = v->nr_handles;
		a->recv.pad2 = v->pad2;
		return &a->recv.size;
	case SHMBOX_IOC_MBOX_SENDV:
	case SHMBOX_IOC_MBOX_RECVV:
		vec_arg(v, a);
		return &a->vec.size;
	case SHMBOX_IOC_MBOX_STAT:
		a->stat.size = sizeof(a->stat);
		a->stat.flags = v->flags;
		a->stat.received = v->received;
		a->stat.inbox_id = v->id;
		a->stat.handles = v->stat_handles;
		a->stat.pad = v->stat_pad;
		return &a->stat.size;
	case SHMBOX_IOC_MBOX_NOTIFY:
		notify_arg(v, a, fd);
		return &a->notify.n.size;
	}
	return NULL;
}

TEST_F(mb, refused)
{
	int is_open = variant->cmd == SHMBOX_IOC_MBOX_OPEN;
	int fd = is_open ? shmbox_dev_open() : self->fd;
	struct inval_arg a, before;
	uint32_t *size = inval_arg(variant, &a, fd);

	ASSERT_LE(0, fd);
	if (size && variant->size)
		*size = variant->size;
	before = a;
	EXPECT_EQ(-1, ioctl(fd, variant->cmd, size ? (void *)&a : NULL));
	EXPECT_EQ(variant->err, errno);
	if (is_open) {
		/* Nothing opened or created: the fd is still unbound. */
		EXPECT_EQ(-EBADFD, shmbox_mbox_stat(fd, &a.stat));
		close(fd);
	} else if (variant->cmd == SHMBOX_IOC_MBOX_STAT) {
		/* Nothing written back, not even the field that was wrong. */
		EXPECT_EQ(variant->received, a.stat.received);
		EXPECT_EQ(variant->stat_handles, a.stat.handles);
		EXPECT_EQ(0, memcmp(&before.stat, &a.stat, sizeof(a.stat)));
	} else if (variant->cmd == SHMBOX_IOC_MBOX_NOTIFY) {
		/* Nothing registered: the place is free, then freed again. */
		struct shmbox_mbox_notify n = {
			.size = sizeof(n), .notify = SHMBOX_NOTIFY_NONE,
		};

		EXPECT_EQ(0, ioctl(self->fd, SHMBOX_IOC_MBOX_NOTIFY, &n));
		n.notify = SHMBOX_NOTIFY_REMOVE;
		EXPECT_EQ(0, ioctl(self->fd, SHMBOX_IOC_MBOX_NOTIFY, &n));
	}
	check_mbox_state(self->fd);
}

TEST_HARNESS_MAIN
