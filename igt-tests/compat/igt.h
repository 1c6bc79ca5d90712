/* SPDX-License-Identifier: MIT */
/*
 * A small stand-in for IGT's igt.h, for building pudge's tests without an
 * IGT source tree (Debian ships libigt.so but no IGT headers).
 *
 * It offers the subset of IGT's test API the pudge tests use, with the same
 * names and meaning, and speaks igt_runner's protocol: --list-subtests,
 * --run-subtest NAME (globs and comma lists), "Starting subtest: NAME" and
 * "Subtest NAME: SUCCESS|SKIP|FAIL (T s)" lines, and exit codes 0 (pass),
 * 77 (skip), 79 (invalid subtest) and 98 (fail).  Inside an IGT tree the
 * real igt.h is used instead and the tests compile unchanged.
 */
#ifndef PUDGE_IGT_COMPAT_H
#define PUDGE_IGT_COMPAT_H

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IGT_EXIT_SUCCESS 0
#define IGT_EXIT_SKIP 77
#define IGT_EXIT_INVALID 79
#define IGT_EXIT_FAILURE 98

extern sigjmp_buf __igt_jmp;

void __igt_init(int argc, char **argv);
int __igt_exit(void);
bool __igt_run_subtest(const char *name);
bool __igt_enter_fixture(void);
void __igt_block_done(void);
void __igt_fail_at(const char *file, int line, const char *func,
		   const char *expr, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 5, 6)));
void __igt_skip_at(const char *file, int line, const char *expr,
		   const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));
const char *__igt_subtest_name(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
bool igt_only_list_subtests(void);
void igt_describe(const char *description);
void igt_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void igt_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void igt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define igt_main							\
	static void __igt_main_body(void);				\
	int main(int argc, char **argv)					\
	{								\
		__igt_init(argc, argv);					\
		__igt_main_body();					\
		return __igt_exit();					\
	}								\
	static void __igt_main_body(void)

/*
 * A subtest body runs once when it is selected; an assertion or a skip
 * inside it jumps back here and ends the body.
 */
#define igt_subtest(name)						\
	for (; __igt_run_subtest(name) && sigsetjmp(__igt_jmp, 1) == 0;	\
	     __igt_block_done())

#define igt_subtest_f(...) igt_subtest(__igt_subtest_name(__VA_ARGS__))

/*
 * A fixture runs unless only listing; a skip inside it skips every later
 * subtest, a failure fails them.
 */
#define igt_fixture							\
	for (; __igt_enter_fixture() && sigsetjmp(__igt_jmp, 1) == 0;	\
	     __igt_block_done())

#define igt_fail_f(...) __igt_fail_at(__FILE__, __LINE__, __func__, NULL, __VA_ARGS__)

#define igt_assert_f(expr, ...) do {					\
	if (!(expr))							\
		__igt_fail_at(__FILE__, __LINE__, __func__, #expr, __VA_ARGS__); \
} while (0)

#define igt_assert(expr) igt_assert_f(expr, "%s", "")

#define __igt_assert_cmp(T, fmt, a, op, b) do {				\
	T __a = (a), __b = (b);						\
	if (!(__a op __b))						\
		__igt_fail_at(__FILE__, __LINE__, __func__, #a " " #op " " #b, \
			      "error: " fmt " " #op " " fmt " is false", __a, __b); \
} while (0)

/*
 * IGT's plain comparisons take int, as here.  Where IGT would silently
 * truncate a wider operand, this layer refuses to compile, so that every
 * assertion means the same with the real IGT headers: 64-bit values use
 * the _s64/_u64 forms.
 */
#define __igt_assert_cmpint(a, op, b) do {				\
	_Static_assert(sizeof(a) <= sizeof(int) && sizeof(b) <= sizeof(int), \
		       "operand wider than int: use the _s64/_u64 assertion"); \
	__igt_assert_cmp(int, "%d", a, op, b);				\
} while (0)

#define igt_assert_eq(a, b) __igt_assert_cmpint(a, ==, b)
#define igt_assert_neq(a, b) __igt_assert_cmpint(a, !=, b)
#define igt_assert_lt(a, b) __igt_assert_cmpint(a, <, b)
#define igt_assert_lte(a, b) __igt_assert_cmpint(a, <=, b)
#define igt_assert_eq_u32(a, b) __igt_assert_cmp(uint32_t, "%#" PRIx32, a, ==, b)
#define igt_assert_neq_u32(a, b) __igt_assert_cmp(uint32_t, "%#" PRIx32, a, !=, b)
#define igt_assert_eq_s64(a, b) __igt_assert_cmp(int64_t, "%" PRId64, a, ==, b)
#define igt_assert_neq_s64(a, b) __igt_assert_cmp(int64_t, "%" PRId64, a, !=, b)
#define igt_assert_lt_s64(a, b) __igt_assert_cmp(int64_t, "%" PRId64, a, <, b)
#define igt_assert_lte_s64(a, b) __igt_assert_cmp(int64_t, "%" PRId64, a, <=, b)
#define igt_assert_eq_u64(a, b) __igt_assert_cmp(uint64_t, "%#" PRIx64, a, ==, b)
#define igt_assert_neq_u64(a, b) __igt_assert_cmp(uint64_t, "%#" PRIx64, a, !=, b)
#define igt_assert_lt_u64(a, b) __igt_assert_cmp(uint64_t, "%#" PRIx64, a, <, b)
#define igt_assert_lte_u64(a, b) __igt_assert_cmp(uint64_t, "%#" PRIx64, a, <=, b)

#define igt_require_f(expr, ...) do {					\
	if (!(expr))							\
		__igt_skip_at(__FILE__, __LINE__, #expr, __VA_ARGS__);	\
} while (0)

#define igt_require(expr) igt_require_f(expr, "%s", "")

#define igt_skip(...) __igt_skip_at(__FILE__, __LINE__, NULL, __VA_ARGS__)

#define igt_skip_on_f(expr, ...) do {					\
	if (expr)							\
		__igt_skip_at(__FILE__, __LINE__, #expr, __VA_ARGS__);	\
} while (0)

/*
 * Children that may assert: the body runs in @num_children processes,
 * each with @child set to its index; an assertion there fails the child,
 * and igt_waitchildren() fails the subtest when any child failed (killing
 * the others).  An assertion in a child of a plain fork() or in a thread
 * cannot end a subtest; it fails the whole process instead, loudly.
 */
#define igt_fork(child, num_children)					\
	for (int child = 0; child < (num_children); child++)		\
		for (; __igt_fork(); exit(0))

bool __igt_fork(void);
void igt_waitchildren(void);
void igt_waitchildren_timeout(int seconds, const char *reason);

/*
 * Called with 0 at exit, or with the signal that ends the test, in the
 * test's own process only (not in its children); last installed, first
 * called.
 */
typedef void (*igt_exit_handler_t)(int sig);
void igt_install_exit_handler(igt_exit_handler_t fn);

/* Device opening (igt_device.c): chipset flags as IGT 2.x's drmtest.h. */
#define DRIVER_VGEM (1 << 2)
#define DRIVER_VKMS (1 << 10)
#define DRIVER_VIRTIO (1 << 11)
#define DRIVER_ANY ~(DRIVER_VGEM | DRIVER_VKMS | DRIVER_VIRTIO)

int igt_device_filter_add(const char *filters);
int igt_device_filter_count(void);
int __drm_open_driver(int chipset);
int __drm_open_driver_render(int chipset);
int drm_open_driver(int chipset);
int drm_open_driver_render(int chipset);

#define do_ioctl(fd, req, arg) do {					\
	igt_assert_eq(igt_ioctl(fd, req, arg), 0);			\
	errno = 0;							\
} while (0)

#define do_ioctl_err(fd, req, arg, err) do {				\
	igt_assert_eq(igt_ioctl(fd, req, arg), -1);			\
	igt_assert_eq(errno, err);					\
	errno = 0;							\
} while (0)

int igt_ioctl(int fd, unsigned long request, void *arg);

#endif /* PUDGE_IGT_COMPAT_H */
