// SPDX-License-Identifier: MIT
/*
 * The runtime behind igt-tests/compat/igt.h: subtest selection, result
 * lines and exit codes as igt_runner expects them from an IGT test.
 */
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include "igt.h"

sigjmp_buf __igt_jmp;

enum igt_mode { RUN_ALL, RUN_SELECTED, LIST };
enum igt_result { PASS, SKIP, FAIL };

static const char *const result_name[] = {
	[PASS] = "SUCCESS", [SKIP] = "SKIP", [FAIL] = "FAIL",
};

static struct {
	const char *prog;
	enum igt_mode mode;
	char *selection;		/* --run-subtest argument */
	const char *subtest;		/* running subtest, or NULL */
	bool in_fixture;
	bool block_done;		/* a block just ended: leave its loop */
	bool selected_any;
	bool listed_any;
	bool sentinel;			/* igt_runner wants markers on stderr */
	int result_fd;			/* post-check: results go to the parent */
	bool in_exit_handler;
	pid_t owner;			/* the process running the subtests */
	bool fork_child;		/* inside an igt_fork() body */
	pid_t children[64];		/* igt_fork()'s, not yet waited for */
	unsigned int nr_children;
	igt_exit_handler_t exit_handlers[16];
	unsigned int nr_exit_handlers;
	enum igt_result henceforth;	/* PASS, or what fixtures decided */
	struct timespec start;
	unsigned int count[3];
} igt;

static void post_check_fork(void);
static void reap_children(void);

static void kmsg(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int fd, n;

	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	va_start(ap, fmt);
	/* KERN_INFO, as IGT logs: level 4 would read as a dmesg warning. */
	memcpy(buf, "<6>", 3);
	n = vsnprintf(buf + 3, sizeof(buf) - 3, fmt, ap);
	va_end(ap);
	if (n > 0 && write(fd, buf, strlen(buf)) < 0)
		n = 0;
	close(fd);
}

static void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"Usage: %s [--list-subtests] [--run-subtest NAME[,NAME...]] [--device FILTER]\n",
		igt.prog);
	exit(code);
}

void __igt_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list-subtests", no_argument, NULL, 'l' },
		{ "run-subtest", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "debug", optional_argument, NULL, 'd' },
		{ "device", required_argument, NULL, 'D' },
		{ }
	};
	int c;

	igt.prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			igt.mode = LIST;
			break;
		case 'r':
			if (igt.mode != LIST)
				igt.mode = RUN_SELECTED;
			igt.selection = optarg;
			break;
		case 'd':
			break;
		case 'D':
			igt_device_filter_add(optarg);
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(IGT_EXIT_INVALID);
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	igt.sentinel = getenv("IGT_SENTINEL_ON_STDERR");
	if (igt.mode != LIST) {
		kmsg("[IGT] %s: executing\n", igt.prog);
		post_check_fork();
	}
	igt.owner = getpid();
}

static bool selected(const char *name)
{
	char *list, *tok, *save = NULL;
	bool match = false;

	if (igt.mode == RUN_ALL)
		return true;
	list = strdup(igt.selection);
	if (!list)
		abort();
	/* As IGT's uwildmat: the last pattern that matches decides; !PATTERN excludes. */
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool neg = tok[0] == '!';

		if (fnmatch(tok + neg, name, 0) == 0)
			match = !neg;
	}
	free(list);
	return match;
}

static double elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - igt.start.tv_sec) + (now.tv_nsec - igt.start.tv_nsec) / 1e9;
}

/* Print a marker line on stdout and, for igt_runner, on stderr too. */
static void marker(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void marker(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	if (igt.sentinel) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
}

static void subtest_result(const char *name, enum igt_result r, double secs)
{
	igt.count[r]++;
	if (igt.result_fd > 0) {
		/* The parent prints it once the post-check has run. */
		dprintf(igt.result_fd, "%d %.3f %s\n", r, secs, name);
		return;
	}
	marker("Subtest %s: %s (%.3fs)\n", name, result_name[r], secs);
	kmsg("[IGT] %s: finished subtest %s, %s\n", igt.prog, name, result_name[r]);
}

/*
 * Post-check (not an IGT feature; off unless IGT_COMPAT_POST_CHECK names
 * a command): the test runs in a child; this process, a subreaper, waits
 * until the child and every process it left behind are gone, runs the
 * command, and only then prints the subtests' results, each a FAIL if the
 * command failed.  The test bed checks with it that a test leaves nothing
 * held in the driver.  Never returns.
 */
static pid_t post_check_child;

/* igt_runner's SIGTERM or SIGQUIT (a timeout) is meant for the test. */
static void post_check_forward(int sig)
{
	kill(post_check_child, sig);
}

/*
 * system(@cmd), but without a shell when @cmd is plain words: it runs
 * after every subtest, and under emulation each exec counts.
 */
static bool post_check_run(const char *cmd)
{
	char buf[512], *argv[16], *save = NULL, *w;
	int argc = 0, status;
	pid_t pid;

	if (strpbrk(cmd, "|&;<>()$`\\\"'*?[]~{}#=\n") || strlen(cmd) >= sizeof(buf))
		return system(cmd) == 0;
	strcpy(buf, cmd);
	for (w = strtok_r(buf, " \t", &save); w && argc < 15; w = strtok_r(NULL, " \t", &save))
		argv[argc++] = w;
	if (w || !argc)
		return system(cmd) == 0;
	argv[argc] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void __attribute__((noreturn)) post_check_parent(int rfd, pid_t child)
{
	const char *cmd = getenv("IGT_COMPAT_POST_CHECK");
	char line[512];
	FILE *in = fdopen(rfd, "r");
	int status = 0, child_status = 0, code;
	struct result { enum igt_result r; double secs; char name[256]; } *res = NULL;
	unsigned int n = 0, cap = 0;
	bool clean;
	pid_t pid;

	post_check_child = child;
	signal(SIGTERM, post_check_forward);
	signal(SIGQUIT, post_check_forward);
	signal(SIGINT, post_check_forward);
	signal(SIGHUP, post_check_forward);
	/* As many results as the test has subtests: none may be lost. */
	while (in && fgets(line, sizeof(line), in)) {
		int r;

		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			res = realloc(res, cap * sizeof(*res));
			if (!res)
				abort();
		}
		if (sscanf(line, "%d %lf %255s", &r, &res[n].secs, res[n].name) == 3 &&
		    r >= PASS && r <= FAIL)
			res[n++].r = r;
	}
	while ((pid = wait(&status)) > 0 || (pid < 0 && errno == EINTR))
		if (pid == child)
			child_status = status;
	clean = post_check_run(cmd);
	if (!clean)
		fprintf(stderr, "post-check failed after the test: %s\n", cmd);
	for (unsigned int i = 0; i < n; i++) {
		enum igt_result r = res[i].r == PASS && !clean ? FAIL : res[i].r;

		igt.count[r]++;
		marker("Subtest %s: %s (%.3fs)\n", res[i].name, result_name[r], res[i].secs);
		kmsg("[IGT] %s: finished subtest %s, %s\n", igt.prog, res[i].name,
		     result_name[r]);
	}
	if (WIFSIGNALED(child_status)) {
		signal(WTERMSIG(child_status), SIG_DFL);
		kill(getpid(), WTERMSIG(child_status));
	}
	code = WIFEXITED(child_status) ? WEXITSTATUS(child_status) : IGT_EXIT_FAILURE;
	if (igt.count[FAIL])
		code = IGT_EXIT_FAILURE;
	exit(code);
}

static void post_check_fork(void)
{
	int p[2];
	pid_t child;

	if (!getenv("IGT_COMPAT_POST_CHECK") || pipe2(p, O_CLOEXEC))
		return;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	fflush(NULL);
	child = fork();
	if (child < 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	if (child == 0) {
		close(p[0]);
		igt.result_fd = p[1];
		return;
	}
	close(p[1]);
	post_check_parent(p[0], child);
}

bool __igt_run_subtest(const char *name)
{
	if (igt.block_done) {
		igt.block_done = false;
		return false;
	}
	if (igt.mode == LIST) {
		printf("%s\n", name);
		igt.listed_any = true;
		return false;
	}
	if (!selected(name))
		return false;

	igt.selected_any = true;
	marker("Starting subtest: %s\n", name);
	if (igt.henceforth != PASS) {
		subtest_result(name, igt.henceforth, 0.0);
		return false;
	}
	kmsg("[IGT] %s: starting subtest %s\n", igt.prog, name);
	clock_gettime(CLOCK_MONOTONIC, &igt.start);
	igt.subtest = name;
	return true;
}

bool __igt_enter_fixture(void)
{
	if (igt.block_done) {
		igt.block_done = false;
		return false;
	}
	if (igt.mode == LIST || igt.henceforth != PASS)
		return false;
	igt.in_fixture = true;
	return true;
}

void __igt_block_done(void)
{
	reap_children();
	if (igt.subtest)
		subtest_result(igt.subtest, PASS, elapsed());
	igt.subtest = NULL;
	igt.in_fixture = false;
	igt.block_done = true;
}

/* End the running block with @r, or the whole test when outside one. */
static void __attribute__((noreturn)) leave(enum igt_result r)
{
	if (igt.in_exit_handler) {
		fprintf(stderr, "%s in an exit handler\n", r == SKIP ? "skip" : "assertion");
		_exit(IGT_EXIT_FAILURE);
	}
	if (igt.fork_child && gettid() == getpid()) {
		if (r == SKIP)
			fprintf(stderr, "a skip in an igt_fork() child fails it\n");
		exit(IGT_EXIT_FAILURE);
	}
	if (getpid() != igt.owner || gettid() != igt.owner) {
		/* No subtest to end here: fail the whole process, loudly. */
		fprintf(stderr, "%s in %s %d, which is not the test's process: use igt_fork(), or report through the exit status\n",
			r == SKIP ? "skip" : "assertion",
			getpid() != igt.owner ? "plain fork() child" : "thread", gettid());
		_exit(IGT_EXIT_FAILURE);
	}
	/* As IGT: a block's igt_fork() children do not outlive it. */
	reap_children();
	if (igt.subtest) {
		subtest_result(igt.subtest, r, elapsed());
		igt.subtest = NULL;
		siglongjmp(__igt_jmp, 1);
	}
	if (igt.in_fixture) {
		igt.in_fixture = false;
		igt.henceforth = r;
		siglongjmp(__igt_jmp, 1);
	}
	exit(r == SKIP ? IGT_EXIT_SKIP : IGT_EXIT_FAILURE);
}

void __igt_fail_at(const char *file, int line, const char *func,
		   const char *expr, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "(%s:%d) %s:%d: %s:\n", igt.prog, getpid(), file, line, func);
	if (expr)
		fprintf(stderr, "Failed assertion: %s\n", expr);
	if (errno)
		fprintf(stderr, "Last errno: %d, %s\n", errno, strerror(errno));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	leave(FAIL);
}

void __igt_skip_at(const char *file, int line, const char *expr,
		   const char *fmt, ...)
{
	va_list ap;

	if (expr)
		printf("Test requirement not met in %s:%d: %s\n", file, line, expr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	leave(SKIP);
}

const char *__igt_subtest_name(const char *fmt, ...)
{
	static char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return name;
}

bool igt_only_list_subtests(void)
{
	return igt.mode == LIST;
}

void igt_describe(const char *description)
{
	(void)description;
}

#define IGT_LOG(fn, stream)					\
void fn(const char *fmt, ...)					\
{								\
	va_list ap;						\
								\
	va_start(ap, fmt);					\
	vfprintf(stream, fmt, ap);				\
	va_end(ap);						\
}
IGT_LOG(igt_info, stdout)
IGT_LOG(igt_warn, stderr)

void igt_debug(const char *fmt, ...)
{
	va_list ap;

	if (!getenv("IGT_LOG_LEVEL") || strcmp(getenv("IGT_LOG_LEVEL"), "debug"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

int igt_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

int __igt_exit(void)
{
	/* igt_runner runs a binary without subtests as one job. */
	if (igt.mode == LIST)
		return igt.listed_any ? IGT_EXIT_SUCCESS : IGT_EXIT_INVALID;
	kmsg("[IGT] %s: exiting\n", igt.prog);
	if (igt.mode == RUN_SELECTED && !igt.selected_any) {
		fprintf(stderr, "Unknown subtest: %s\n", igt.selection);
		return IGT_EXIT_INVALID;
	}
	if (igt.count[FAIL])
		return IGT_EXIT_FAILURE;
	if (igt.count[PASS] || !igt.count[SKIP])
		return IGT_EXIT_SUCCESS;
	return IGT_EXIT_SKIP;
}

bool __igt_fork(void)
{
	pid_t pid;

	if (igt.nr_children == sizeof(igt.children) / sizeof(igt.children[0]))
		igt_fail_f("more than %u igt_fork() children\n", igt.nr_children);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		igt_fail_f("fork: %s\n", strerror(errno));
	if (pid == 0) {
		/* The parent's exit handlers are not the child's; its own are. */
		igt.fork_child = true;
		igt.owner = getpid();
		igt.nr_children = 0;
		igt.nr_exit_handlers = 0;
		return true;
	}
	igt.children[igt.nr_children++] = pid;
	return false;
}

/* SIGKILL every igt_fork() child not yet waited for. */
static void kill_children(void)
{
	for (unsigned int i = 0; i < igt.nr_children; i++)
		if (igt.children[i])
			kill(igt.children[i], SIGKILL);
}

/* SIGKILL and reap the igt_fork() children still there. */
static void reap_children(void)
{
	kill_children();
	for (unsigned int i = 0; i < igt.nr_children; i++)
		if (igt.children[i])
			waitpid(igt.children[i], NULL, 0);
	igt.nr_children = 0;
}

/*
 * Wait for every igt_fork() child (and only those: other children keep
 * their status for whoever waits for them), until @deadline
 * (CLOCK_MONOTONIC seconds; 0: none).  The first failure or the deadline
 * kills the rest.  Return: 0, or -errno with what went wrong in @why.
 */
static int wait_children(double deadline, char *why, size_t len)
{
	unsigned int left = igt.nr_children;
	int err = 0;

	while (left) {
		struct timespec now;

		for (unsigned int i = 0; i < igt.nr_children; i++) {
			int status;
			pid_t pid = igt.children[i];

			pid_t got;

			if (!pid)
				continue;
			got = waitpid(pid, &status, WNOHANG);
			if (got == 0 || (got < 0 && errno == EINTR))
				continue;
			igt.children[i] = 0;
			left--;
			if (err || (got == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0))
				continue;
			if (got < 0)
				snprintf(why, len, "child %u (pid %d) cannot be waited for: %s",
					 i, pid, strerror(errno));
			else if (WIFSIGNALED(status))
				snprintf(why, len, "child %u (pid %d) died with signal %d",
					 i, pid, WTERMSIG(status));
			else
				snprintf(why, len, "child %u (pid %d) failed with exit status %d",
					 i, pid, WEXITSTATUS(status));
			err = -ECHILD;
			kill_children();
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (left && !err && deadline && now.tv_sec + now.tv_nsec / 1e9 > deadline) {
			snprintf(why, len, "%u children still running at the timeout", left);
			err = -ETIMEDOUT;
			kill_children();
		}
		if (left)
			usleep(5 * 1000);
	}
	igt.nr_children = 0;
	return err;
}

void igt_waitchildren(void)
{
	char why[128];

	if (wait_children(0, why, sizeof(why)))
		igt_fail_f("%s\n", why);
}

void igt_waitchildren_timeout(int seconds, const char *reason)
{
	struct timespec now;
	char why[128];

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (wait_children(now.tv_sec + now.tv_nsec / 1e9 + seconds, why, sizeof(why)))
		igt_fail_f("%s: %s\n", reason ? reason : "igt_waitchildren_timeout", why);
}

static const int fatal_sigs[] = { SIGINT, SIGHUP, SIGPIPE, SIGTERM, SIGQUIT,
				  SIGABRT, SIGSEGV, SIGBUS, SIGFPE };

/* Exit handlers run once, in the test's own process, last installed first. */
static void run_exit_handlers(int sig)
{
	if (getpid() != igt.owner)
		return;
	igt.in_exit_handler = true;
	while (igt.nr_exit_handlers)
		igt.exit_handlers[--igt.nr_exit_handlers](sig);
	igt.in_exit_handler = false;
}

static void exit_handler_atexit(void)
{
	run_exit_handlers(0);
}

static void exit_handler_signal(int sig)
{
	/* A second signal while the handlers run ends the process at once. */
	for (unsigned int i = 0; i < sizeof(fatal_sigs) / sizeof(fatal_sigs[0]); i++)
		signal(fatal_sigs[i], SIG_DFL);
	run_exit_handlers(sig);
	raise(sig);
}

void igt_install_exit_handler(igt_exit_handler_t fn)
{
	static bool installed;

	for (unsigned int i = 0; i < igt.nr_exit_handlers; i++)
		if (igt.exit_handlers[i] == fn)
			return;
	if (igt.nr_exit_handlers == sizeof(igt.exit_handlers) / sizeof(igt.exit_handlers[0]))
		igt_fail_f("too many exit handlers\n");
	igt.exit_handlers[igt.nr_exit_handlers++] = fn;
	if (installed)
		return;
	installed = true;
	atexit(exit_handler_atexit);
	for (unsigned int i = 0; i < sizeof(fatal_sigs) / sizeof(fatal_sigs[0]); i++)
		signal(fatal_sigs[i], exit_handler_signal);
}
