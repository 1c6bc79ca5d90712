/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What pudge's pure-logic files (range planner, argument checks) need from
 * their environment, so the same files build in the kernel and in the
 * userspace unit tests.
 */
#ifndef _PUDGE_PURE_H_
#define _PUDGE_PURE_H_

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
#define U64_MAX UINT64_MAX
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#endif /* _PUDGE_PURE_H_ */
