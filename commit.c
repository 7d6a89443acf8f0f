/*
 * commit.c: the commit thread, where a change is made and committed
 * (store.c: Berkeley DB's puts or deletes, the journal's write and sync,
 * the pages written over the map under the readers' lock, the map's
 * sync) so that the event loop goes on answering meanwhile.
 *
 * One job at a time: commit_start() hands the thread a function and its
 * argument; the loop learns that it ended through an eventfd in its poll
 * set (commit_fd()) and collects the result with commit_done(), or waits
 * for it with commit_wait().  Between commit_start() and the result the
 * job owns what it was given; the caller touches none of it.  The mutex
 * orders the job's writes before the result is read.
 *
 * Signals: the thread blocks all but SIGALRM, which lock.c sends to the
 * thread that waits for the readers' lock, so SIGTERM and SIGHUP reach
 * the event loop only.
 */
#include <sys/eventfd.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commit.h"
#include "log.h"

struct commit {
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 efd;		/* readable once a job ended */
	int		 (*fn)(void *);
	void		*arg;
	int		 busy;		/* started, result not collected */
	int		 ended;		/* the job returned ret */
	int		 ret;
	int		 quit;
};

static void *
run(void *arg)
{
	struct commit	*cm = arg;
	uint64_t	 one = 1;
	int		 ret;

	pthread_mutex_lock(&cm->mu);
	for (;;) {
		while (cm->fn == NULL && !cm->quit)
			pthread_cond_wait(&cm->cv, &cm->mu);
		if (cm->fn == NULL)
			break;
		pthread_mutex_unlock(&cm->mu);
		ret = cm->fn(cm->arg);
		pthread_mutex_lock(&cm->mu);
		cm->fn = NULL;
		cm->ret = ret;
		cm->ended = 1;
		pthread_cond_broadcast(&cm->cv);
		while (write(cm->efd, &one, sizeof(one)) == -1 &&
		    errno == EINTR)
			;
	}
	pthread_mutex_unlock(&cm->mu);
	return NULL;
}

/* Start the commit thread; NULL, logged, on failure. */
struct commit *
commit_new(void)
{
	struct commit	*cm;
	sigset_t	 all, old;
	int		 err;

	if ((cm = calloc(1, sizeof(*cm))) == NULL) {
		log_warn("commit_new");
		return NULL;
	}
	if ((cm->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		log_warn("eventfd");
		free(cm);
		return NULL;
	}
	pthread_mutex_init(&cm->mu, NULL);
	pthread_cond_init(&cm->cv, NULL);
	sigfillset(&all);
	sigdelset(&all, SIGALRM);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&cm->thread, NULL, run, cm);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		log_warnx("pthread_create: %s", strerror(err));
		close(cm->efd);
		pthread_cond_destroy(&cm->cv);
		pthread_mutex_destroy(&cm->mu);
		free(cm);
		return NULL;
	}
	return cm;
}

/* Run fn(arg) on the thread; nothing may be busy (commit_busy()). */
void
commit_start(struct commit *cm, int (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&cm->mu);
	cm->fn = fn;
	cm->arg = arg;
	cm->ended = 0;
	cm->busy = 1;
	pthread_cond_broadcast(&cm->cv);
	pthread_mutex_unlock(&cm->mu);
}

/* 1 from commit_start() until its result is collected, else 0. */
int
commit_busy(const struct commit *cm)
{
	return cm->busy;
}

/* The descriptor that polls readable when a job has ended. */
int
commit_fd(const struct commit *cm)
{
	return cm->efd;
}

/* Collect the result of the job that ended; the thread's lock is held. */
static int
collect(struct commit *cm)
{
	uint64_t	n;

	cm->busy = 0;
	cm->ended = 0;
	while (read(cm->efd, &n, sizeof(n)) == -1 && errno == EINTR)
		;
	return cm->ret;
}

/*
 * Without waiting: 1 and the job's result in *ret when the job started
 * has ended (collected now), 0 when it runs still or none was started.
 */
int
commit_done(struct commit *cm, int *ret)
{
	int	done = 0;

	if (!cm->busy)
		return 0;
	pthread_mutex_lock(&cm->mu);
	if (cm->ended) {
		*ret = collect(cm);
		done = 1;
	}
	pthread_mutex_unlock(&cm->mu);
	return done;
}

/* Wait for the job started to end; its result (commit_busy() first). */
int
commit_wait(struct commit *cm)
{
	int	ret;

	pthread_mutex_lock(&cm->mu);
	while (!cm->ended)
		pthread_cond_wait(&cm->cv, &cm->mu);
	ret = collect(cm);
	pthread_mutex_unlock(&cm->mu);
	return ret;
}

/* Stop the thread, which must not be busy, and free cm. */
void
commit_free(struct commit *cm)
{
	if (cm == NULL)
		return;
	pthread_mutex_lock(&cm->mu);
	cm->quit = 1;
	pthread_cond_broadcast(&cm->cv);
	pthread_mutex_unlock(&cm->mu);
	pthread_join(cm->thread, NULL);
	close(cm->efd);
	pthread_cond_destroy(&cm->cv);
	pthread_mutex_destroy(&cm->mu);
	free(cm);
}
