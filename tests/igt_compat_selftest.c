// SPDX-License-Identifier: MIT
/*
 * Subtests with known outcomes for igt-tests/compat, run and checked by
 * tests/igt_compat_check.sh: children of igt_fork() that fail or skip,
 * a timeout, an assertion in a plain fork() child and in a thread, and
 * exit handlers.  IGT_COMPAT_SELFTEST_DIR names where the exit handler
 * leaves its trace.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "igt.h"

static void note_exit(int sig)
{
	const char *dir = getenv("IGT_COMPAT_SELFTEST_DIR");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/exit-handler", dir);
	f = fopen(path, "a");
	if (f) {
		fprintf(f, "%d %d\n", getpid(), sig);
		fclose(f);
	}
}

static void assert_on_exit(int sig)
{
	igt_assert_f(false, "an assertion in an exit handler\n");
}

static void *asserting_thread(void *arg)
{
	igt_assert_f(arg == NULL, "a thread's assertion\n");
	return NULL;
}

igt_main
{
	igt_fixture
		igt_install_exit_handler(note_exit);

	igt_subtest("fork-pass") {
		igt_fork(child, 3)
			igt_assert(child >= 0 && child < 3);
		igt_waitchildren();
	}

	igt_subtest("fork-child-fails") {
		igt_fork(child, 3) {
			if (child != 1)
				usleep(100 * 1000);
			igt_assert_f(child != 1, "child 1 fails\n");
		}
		igt_waitchildren();
		igt_info("not reached\n");
	}

	igt_subtest("fork-child-skips") {
		igt_fork(child, 1)
			igt_skip("a skip in a child\n");
		igt_waitchildren();
	}

	igt_subtest("fork-timeout") {
		igt_fork(child, 1)
			sleep(60);
		igt_waitchildren_timeout(1, "slow child");
	}

	igt_subtest("plain-fork-assert") {
		int status;
		pid_t pid = fork();

		igt_assert(pid >= 0);
		if (pid == 0) {
			igt_assert_f(false, "a plain child's assertion\n");
			_exit(0);
		}
		igt_assert_eq(waitpid(pid, &status, 0), pid);
		igt_assert(WIFEXITED(status));
		igt_assert_eq(WEXITSTATUS(status), IGT_EXIT_FAILURE);
	}

	igt_subtest("thread-assert") {
		pthread_t t;

		igt_assert_eq(pthread_create(&t, NULL, asserting_thread, (void *)1), 0);
		pthread_join(t, NULL);
		igt_info("not reached\n");
	}

	igt_subtest("signal")
		raise(SIGTERM);

	/* The parent fails first: its child must not outlive the subtest. */
	igt_subtest("fork-leftover") {
		igt_fork(child, 1) {
			sleep(2);
			igt_assert_f(false, "the leftover child fails\n");
		}
		igt_assert_f(false, "the parent fails first\n");
	}

	igt_subtest("after-leftover") {
		igt_fork(child, 1)
			sleep(3);
		igt_waitchildren();
	}

	/* A child someone else reaped: igt_waitchildren() fails, never hangs. */
	igt_subtest("fork-reaped-elsewhere") {
		igt_fork(child, 1)
			;
		igt_assert(wait(NULL) > 0);
		igt_waitchildren();
	}

	/* A handler the child installs runs in the child; the parent's in it. */
	igt_subtest("fork-child-handler") {
		igt_fork(child, 1)
			igt_install_exit_handler(note_exit);
		igt_waitchildren();
	}

	igt_subtest("handler-asserts")
		igt_install_exit_handler(assert_on_exit);

	igt_subtest("sleeper")
		sleep(60);

	/* More subtests than any fixed table: every result must come out. */
	static int i;	/* static: a failing subtest longjmps out of the loop body */

	for (i = 0; i < 100; i++)
		igt_subtest_f("many-%d", i)
			igt_assert(i >= 0);
}
