// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmbox-mq: mq_notify() on SHMBOX_IOC_MBOX_NOTIFY.
 *
 * SIGEV_NONE and SIGEV_SIGNAL are the kernel's registrations as they are:
 * it keeps POSIX's rules (one process per queue, EBUSY; fired only by a
 * message queued into an empty queue that no receiver takes at once;
 * removed once fired, by mq_notify(NULL), by closing a descriptor of the
 * queue) and sends the signal with si_code SI_MESGQ, the sigev_value and
 * the sender's pid and uid.
 *
 * SIGEV_THREAD has no kernel form: the library registers an eventfd
 * (SHMBOX_NOTIFY_EVENTFD), to which the kernel adds 1 when the
 * registration fires, and starts one helper thread per registration,
 * with every signal blocked, that waits on it.  When the kernel fires,
 * the helper takes itself out of the table, starts sigev_notify_function
 * (sigev_value) in a new thread made with (a copy of, taken at
 * registration) sigev_notify_attributes, detached if there were none, and
 * with the signal mask of the thread that called mq_notify(), closes the
 * eventfd and ends.  mq_notify(NULL) and mq_close() of the descriptor end
 * its helpers: they take them out of the table, wake them with a write
 * to their eventfd and join them, so that when they return the eventfd is
 * closed and the thread gone.  A helper found in the table when it wakes
 * was fired; one not found was ended.
 *
 * The table: a list of the helpers, keyed by descriptor, under one
 * mutex.  A descriptor may have more than one: a registration the kernel
 * dropped without the library seeing it (close() instead of mq_close(),
 * or mq_close() of another descriptor of the same queue) leaves a helper
 * that waits until that descriptor's next mq_notify(NULL) or mq_close();
 * a new registration never ends an older helper, which may be one the
 * kernel has just fired.  After fork() the child has no registration
 * (the kernel's are per process) and no helper threads: a pthread_atfork
 * child handler empties its table and closes the eventfds it inherited.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

struct smq_helper {
	struct smq_helper *next;
	mqd_t mqd;
	int efd;			/* the registered eventfd */
	pthread_t thread;		/* joinable until it fires */
	void (*fn)(union sigval);
	union sigval value;
	int has_attr;
	pthread_attr_t attr;		/* copy of sigev_notify_attributes */
	sigset_t mask;			/* of the thread that registered */
};

/* What the notification thread runs. */
struct smq_call {
	void (*fn)(union sigval);
	union sigval value;
	sigset_t mask;
};

static pthread_mutex_t smq_lock = PTHREAD_MUTEX_INITIALIZER;
static struct smq_helper *smq_helpers;
static pthread_once_t smq_once = PTHREAD_ONCE_INIT;

static void smq_helper_free(struct smq_helper *h)
{
	if (h->has_attr)
		pthread_attr_destroy(&h->attr);
	free(h);
}

/* Take @h out of the table, under smq_lock: was it there? */
static int smq_unlink_helper(struct smq_helper *h)
{
	struct smq_helper **pp;

	for (pp = &smq_helpers; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			return 1;
		}
	}
	return 0;
}

static void smq_atfork_prepare(void)
{
	pthread_mutex_lock(&smq_lock);
}

static void smq_atfork_parent(void)
{
	pthread_mutex_unlock(&smq_lock);
}

/* The child: no registrations, no helper threads; drop their remains. */
static void smq_atfork_child(void)
{
	struct smq_helper *h;

	while ((h = smq_helpers)) {
		smq_helpers = h->next;
		close(h->efd);
		smq_helper_free(h);
	}
	pthread_mutex_unlock(&smq_lock);
}

static void smq_init(void)
{
	pthread_atfork(smq_atfork_prepare, smq_atfork_parent,
		       smq_atfork_child);
}

/*
 * Copy what can be read of @src into a new @dst: the caller may destroy
 * its attributes once mq_notify() returns.  A stack given with
 * pthread_attr_setstack() cannot be told from a default one and is not
 * copied (its size is).  0 or an error number.
 */
static int smq_attr_copy(pthread_attr_t *dst, const pthread_attr_t *src)
{
	struct sched_param sp;
	size_t sz;
	int v, err;

	err = pthread_attr_init(dst);
	if (err)
		return err;
#define SMQ_COPY(get, set, var)				\
	do {						\
		if (!err)				\
			err = get(src, &var);		\
		if (!err)				\
			err = set(dst, var);		\
	} while (0)
	SMQ_COPY(pthread_attr_getdetachstate, pthread_attr_setdetachstate, v);
	SMQ_COPY(pthread_attr_getscope, pthread_attr_setscope, v);
	SMQ_COPY(pthread_attr_getinheritsched, pthread_attr_setinheritsched, v);
	SMQ_COPY(pthread_attr_getschedpolicy, pthread_attr_setschedpolicy, v);
	SMQ_COPY(pthread_attr_getstacksize, pthread_attr_setstacksize, sz);
	SMQ_COPY(pthread_attr_getguardsize, pthread_attr_setguardsize, sz);
	if (!err)
		err = pthread_attr_getschedparam(src, &sp);
	if (!err)
		err = pthread_attr_setschedparam(dst, &sp);
#undef SMQ_COPY
	if (err)
		pthread_attr_destroy(dst);
	return err;
}

static void *smq_call_main(void *p)
{
	struct smq_call c = *(struct smq_call *)p;

	free(p);
	pthread_sigmask(SIG_SETMASK, &c.mask, NULL);
	c.fn(c.value);
	return NULL;
}

/* The registration fired: run the function in its own thread. */
static void smq_fire(struct smq_helper *h)
{
	struct smq_call *c = malloc(sizeof(*c));
	pthread_attr_t detached, *attr = &h->attr;
	pthread_t t;

	if (!c)
		return;
	c->fn = h->fn;
	c->value = h->value;
	c->mask = h->mask;
	if (!h->has_attr) {
		attr = &detached;
		if (pthread_attr_init(attr)) {
			free(c);
			return;
		}
		pthread_attr_setdetachstate(attr, PTHREAD_CREATE_DETACHED);
	}
	if (pthread_create(&t, attr, smq_call_main, c))
		free(c);
	if (!h->has_attr)
		pthread_attr_destroy(attr);
}

static void *smq_helper_main(void *p)
{
	struct smq_helper *h = p;
	uint64_t v;
	int fired;

	while (read(h->efd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&smq_lock);
	fired = smq_unlink_helper(h);
	if (fired)
		pthread_detach(pthread_self());
	pthread_mutex_unlock(&smq_lock);
	close(h->efd);
	if (fired) {
		smq_fire(h);
		smq_helper_free(h);
	}
	/* else smq_notify_forget() joins this thread and frees @h. */
	return NULL;
}

/* SHMBOX_IOC_MBOX_NOTIFY of @kind: 0, or the errno. */
static int smq_register(mqd_t mqd, unsigned int kind, int signo,
			uint64_t value, int efd)
{
	struct shmbox_mbox_notify n = {
		.size = sizeof(n), .notify = kind, .signo = signo,
		.value = value, .eventfd = efd,
	};

	return ioctl(mqd, SHMBOX_IOC_MBOX_NOTIFY, &n) < 0 ?
		smq_fd_errno(errno) : 0;
}

static int smq_notify_thread(mqd_t mqd, const struct sigevent *sev)
{
	struct smq_helper *h;
	sigset_t all, old;
	int err;

	pthread_once(&smq_once, smq_init);
	h = calloc(1, sizeof(*h));
	if (!h)
		return ENOMEM;
	h->mqd = mqd;
	h->fn = sev->sigev_notify_function;
	h->value = sev->sigev_value;
	pthread_sigmask(SIG_SETMASK, NULL, &h->mask);
	if (sev->sigev_notify_attributes) {
		err = smq_attr_copy(&h->attr, sev->sigev_notify_attributes);
		if (err) {
			free(h);
			return err;
		}
		h->has_attr = 1;
	}
	h->efd = eventfd(0, EFD_CLOEXEC);
	if (h->efd < 0) {
		err = errno;
		smq_helper_free(h);
		return err;
	}
	err = smq_register(mqd, SHMBOX_NOTIFY_EVENTFD, 0, 0, h->efd);
	if (!err) {
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		pthread_mutex_lock(&smq_lock);
		err = pthread_create(&h->thread, NULL, smq_helper_main, h);
		if (!err) {
			h->next = smq_helpers;
			smq_helpers = h;
		}
		pthread_mutex_unlock(&smq_lock);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (err)
			smq_register(mqd, SHMBOX_NOTIFY_REMOVE, 0, 0, 0);
	}
	if (err) {
		close(h->efd);
		smq_helper_free(h);
	}
	return err;
}

void smq_notify_forget(mqd_t mqd)
{
	struct smq_helper *gone = NULL, *h, **pp;
	uint64_t one = 1;

	pthread_mutex_lock(&smq_lock);
	for (pp = &smq_helpers; (h = *pp);) {
		if (h->mqd != mqd) {
			pp = &h->next;
			continue;
		}
		*pp = h->next;
		/* Open until the helper sees it is out of the table. */
		(void)(write(h->efd, &one, sizeof(one)) < 0);
		h->next = gone;
		gone = h;
	}
	pthread_mutex_unlock(&smq_lock);
	while ((h = gone)) {
		gone = h->next;
		pthread_join(h->thread, NULL);
		smq_helper_free(h);
	}
}

int smq_notify(mqd_t mqd, const struct sigevent *sev)
{
	uint64_t value = 0;
	int err;

	if (!sev) {
		err = smq_register(mqd, SHMBOX_NOTIFY_REMOVE, 0, 0, 0);
		smq_notify_forget(mqd);
		return err ? smq_fail(err) : 0;
	}
	switch (sev->sigev_notify) {
	case SIGEV_NONE:
		err = smq_register(mqd, SHMBOX_NOTIFY_NONE, 0, 0, 0);
		break;
	case SIGEV_SIGNAL:
		/* The union's bits: sival_int and sival_ptr both arrive. */
		memcpy(&value, &sev->sigev_value, sizeof(sev->sigev_value));
		err = smq_register(mqd, SHMBOX_NOTIFY_SIGNAL,
				   sev->sigev_signo, value, 0);
		break;
	case SIGEV_THREAD:
		err = smq_notify_thread(mqd, sev);
		break;
	default:
		err = EINVAL;
	}
	return err ? smq_fail(err) : 0;
}
