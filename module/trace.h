/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmbox tracepoints (TRACE_SYSTEM shmbox): mailbox send, receive, sleep
 * begin/end and wake-up, calls (call, reply, abandon), and ring
 * wait/wake.  Watch them with tracefs:
 *	echo 1 > /sys/kernel/tracing/events/shmbox/enable
 *	cat /sys/kernel/tracing/trace_pipe
 *
 * Owns: only the event definitions; CREATE_TRACE_POINTS is defined by
 * module/trace.c alone.  Events take the object (never a reference: the
 * caller holds one) and copy its name ("-" when anonymous, immutable after
 * creation) into the ring buffer, so they may fire with any lock held.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM shmbox

#ifndef _SHMBOX_TRACE_NAME
#define _SHMBOX_TRACE_NAME
#include "compat.h"
#include "shmbox.h"

static inline const char *shmbox_trace_name(const struct shmbox_obj *obj)
{
	return obj->name ? obj->name : "-";
}
#endif

#if !defined(_SHMBOX_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SHMBOX_TRACE_H

#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/tracepoint.h>

/* A message was sent (@ret 0) or a send failed (@ret -errno). */
TRACE_EVENT(shmbox_mbox_send,
	    TP_PROTO(const struct shmbox_obj *obj, u32 len, u32 prio, int ret),
	    TP_ARGS(obj, len, prio, ret),
	    TP_STRUCT__entry(__string(name, shmbox_trace_name(obj))
			     __field(const void *, obj)
			     __field(u32, len)
			     __field(u32, prio)
			     __field(int, ret)),
	    TP_fast_assign(shmbox_assign_str(name, shmbox_trace_name(obj));
			   __entry->obj = obj;
			   __entry->len = len;
			   __entry->prio = prio;
			   __entry->ret = ret;),
	    TP_printk("mbox=%s obj=%p len=%u prio=%u ret=%d",
		      __get_str(name), __entry->obj, __entry->len,
		      __entry->prio, __entry->ret)
);

/*
 * Handles moved through mailbox @obj: @n handles sent in one message
 * (queued, @received false) or installed as new fds by one receive, a
 * call or its reply (@received true).
 */
TRACE_EVENT(shmbox_mbox_handles,
	    TP_PROTO(const struct shmbox_obj *obj, u32 n, bool received),
	    TP_ARGS(obj, n, received),
	    TP_STRUCT__entry(__string(name, shmbox_trace_name(obj))
			     __field(const void *, obj)
			     __field(u32, n)
			     __field(bool, received)),
	    TP_fast_assign(shmbox_assign_str(name, shmbox_trace_name(obj));
			   __entry->obj = obj;
			   __entry->n = n;
			   __entry->received = received;),
	    TP_printk("mbox=%s obj=%p handles=%u %s", __get_str(name),
		      __entry->obj, __entry->n,
		      __entry->received ? "received" : "sent")
);

/* A message was received (taken out); @sender: its global pid. */
/* A notification registration fired (mbox_notify.c): @kind SHMBOX_NOTIFY_*. */
TRACE_EVENT(shmbox_mbox_notify,
	    TP_PROTO(const struct shmbox_obj *obj, u32 kind),
	    TP_ARGS(obj, kind),
	    TP_STRUCT__entry(__string(name, shmbox_trace_name(obj))
			     __field(const void *, obj)
			     __field(u32, kind)),
	    TP_fast_assign(shmbox_assign_str(name, shmbox_trace_name(obj));
			   __entry->obj = obj;
			   __entry->kind = kind;),
	    TP_printk("mbox=%s obj=%p notify=%s", __get_str(name),
		      __entry->obj,
		      __print_symbolic(__entry->kind,
				       { SHMBOX_NOTIFY_NONE, "none" },
				       { SHMBOX_NOTIFY_SIGNAL, "signal" },
				       { SHMBOX_NOTIFY_EVENTFD, "eventfd" }))
);

TRACE_EVENT(shmbox_mbox_recv,
	    TP_PROTO(const struct shmbox_obj *obj, u32 len, u32 prio,
		     struct pid *sender),
	    TP_ARGS(obj, len, prio, sender),
	    TP_STRUCT__entry(__string(name, shmbox_trace_name(obj))
			     __field(const void *, obj)
			     __field(u32, len)
			     __field(u32, prio)
			     __field(pid_t, sender)),
	    TP_fast_assign(shmbox_assign_str(name, shmbox_trace_name(obj));
			   __entry->obj = obj;
			   __entry->len = len;
			   __entry->prio = prio;
			   __entry->sender = pid_nr(sender);),
	    TP_printk("mbox=%s obj=%p len=%u prio=%u sender=%d",
		      __get_str(name), __entry->obj, __entry->len,
		      __entry->prio, __entry->sender)
);

/*
 * A sender (@send true) or receiver goes to sleep on a mailbox
 * (shmbox_mbox_wait) or wakes up again (shmbox_mbox_wait_done, @ret 0 or
 * -ETIMEDOUT for that sleep).
 */
DECLARE_EVENT_CLASS(shmbox_mbox_wait_class,
		    TP_PROTO(const struct shmbox_obj *obj, bool send, int ret),
		    TP_ARGS(obj, send, ret),
		    TP_STRUCT__entry(__string(name, shmbox_trace_name(obj))
				     __field(const void *, obj)
				     __field(bool, send)
				     __field(int, ret)),
		    TP_fast_assign(shmbox_assign_str(name, shmbox_trace_name(obj));
				   __entry->obj = obj;
				   __entry->send = send;
				   __entry->ret = ret;),
		    TP_printk("mbox=%s obj=%p side=%s ret=%d",
			      __get_str(name), __entry->obj,
			      __entry->send ? "send" : "recv", __entry->ret)
);

DEFINE_EVENT(shmbox_mbox_wait_class, shmbox_mbox_wait,
	     TP_PROTO(const struct shmbox_obj *obj, bool send, int ret),
	     TP_ARGS(obj, send, ret));

DEFINE_EVENT(shmbox_mbox_wait_class, shmbox_mbox_wait_done,
	     TP_PROTO(const struct shmbox_obj *obj, bool send, int ret),
	     TP_ARGS(obj, send, ret));

/* A blocked sender or receiver is woken up. */
TRACE_EVENT(shmbox_mbox_wake,
	    TP_PROTO(const struct task_struct *task),
	    TP_ARGS(task),
	    TP_STRUCT__entry(__array(char, comm, TASK_COMM_LEN)
			     __field(pid_t, pid)),
	    TP_fast_assign(memcpy(__entry->comm, task->comm, TASK_COMM_LEN);
			   __entry->pid = task->pid;),
	    TP_printk("comm=%s pid=%d", __entry->comm, __entry->pid)
);

/*
 * Calls: a call ended (shmbox_mbox_call: @ret 0 once its reply was copied
 * out, else the errno it fails with), a server answered one
 * (shmbox_mbox_reply: @ret 0, or the errno of SHMBOX_IOC_MBOX_REPLY), or
 * a caller gave up on one a server had taken (shmbox_mbox_call_abandon:
 * @ret -ETIMEDOUT or -EINTR).  @handle is the call's reply handle.
 */
DECLARE_EVENT_CLASS(shmbox_call_class,
		    TP_PROTO(const struct shmbox_obj *obj, u64 handle, u32 len,
			     int ret),
		    TP_ARGS(obj, handle, len, ret),
		    TP_STRUCT__entry(__string(name, shmbox_trace_name(obj))
				     __field(const void *, obj)
				     __field(u64, handle)
				     __field(u32, len)
				     __field(int, ret)),
		    TP_fast_assign(shmbox_assign_str(name, shmbox_trace_name(obj));
				   __entry->obj = obj;
				   __entry->handle = handle;
				   __entry->len = len;
				   __entry->ret = ret;),
		    TP_printk("mbox=%s obj=%p handle=%llu len=%u ret=%d",
			      __get_str(name), __entry->obj, __entry->handle,
			      __entry->len, __entry->ret)
);

DEFINE_EVENT(shmbox_call_class, shmbox_mbox_call,
	     TP_PROTO(const struct shmbox_obj *obj, u64 handle, u32 len,
		      int ret),
	     TP_ARGS(obj, handle, len, ret));

DEFINE_EVENT(shmbox_call_class, shmbox_mbox_reply,
	     TP_PROTO(const struct shmbox_obj *obj, u64 handle, u32 len,
		      int ret),
	     TP_ARGS(obj, handle, len, ret));

DEFINE_EVENT(shmbox_call_class, shmbox_mbox_call_abandon,
	     TP_PROTO(const struct shmbox_obj *obj, u64 handle, u32 len,
		      int ret),
	     TP_ARGS(obj, handle, len, ret));

/* SHMBOX_IOC_RING_WAKE: the consumer (@data) or the producer is woken. */
TRACE_EVENT(shmbox_ring_wake,
	    TP_PROTO(const struct shmbox_obj *obj, bool data),
	    TP_ARGS(obj, data),
	    TP_STRUCT__entry(__string(name, shmbox_trace_name(obj))
			     __field(const void *, obj)
			     __field(bool, data)),
	    TP_fast_assign(shmbox_assign_str(name, shmbox_trace_name(obj));
			   __entry->obj = obj;
			   __entry->data = data;),
	    TP_printk("ring=%s obj=%p wake=%s",
		      __get_str(name), __entry->obj,
		      __entry->data ? "consumer" : "producer")
);

/* SHMBOX_IOC_RING_WAIT returns: @ret 0, -EAGAIN, -ETIMEDOUT, -EPIPE... */
TRACE_EVENT(shmbox_ring_wait,
	    TP_PROTO(const struct shmbox_obj *obj, bool data, u64 seen, int ret),
	    TP_ARGS(obj, data, seen, ret),
	    TP_STRUCT__entry(__string(name, shmbox_trace_name(obj))
			     __field(const void *, obj)
			     __field(bool, data)
			     __field(u64, seen)
			     __field(int, ret)),
	    TP_fast_assign(shmbox_assign_str(name, shmbox_trace_name(obj));
			   __entry->obj = obj;
			   __entry->data = data;
			   __entry->seen = seen;
			   __entry->ret = ret;),
	    TP_printk("ring=%s obj=%p side=%s seen=%llu ret=%d",
		      __get_str(name), __entry->obj,
		      __entry->data ? "consumer" : "producer",
		      __entry->seen, __entry->ret)
);

#endif /* _SHMBOX_TRACE_H */

/* Out of tree: the header is found through -I$(src)/module (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
