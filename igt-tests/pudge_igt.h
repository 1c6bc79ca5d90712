/* SPDX-License-Identifier: MIT */
/*
 * What pudge's IGT tests share beyond IGT's own API: opening the pudge
 * device the way IGT opens any device (so igt_runner's --device, IGT_DEVICE
 * and IGT_FORCE_DRIVER choose it), and module parameters that a test
 * changes and IGT's exit handlers put back, whatever ends the test.
 * Built on IGT's API only, so it compiles against the real IGT headers.
 */
#ifndef PUDGE_IGT_H
#define PUDGE_IGT_H

#include "pudge.h"

/**
 * pudge_igt_open() - open the device the runner chose; skip unless pudge
 * @node: PUDGE_NODE_RENDER or PUDGE_NODE_PRIMARY
 *
 * Return: a file descriptor of a pudge device.
 */
int pudge_igt_open(enum pudge_node node);

/**
 * __pudge_igt_open() - pudge_igt_open(), returning -1 instead of skipping
 */
int __pudge_igt_open(enum pudge_node node);

/**
 * pudge_igt_reopen() - a new file on the node behind @fd
 *
 * For a child process that needs a file of its own on the device the test
 * opened: it neither searches nor skips.
 *
 * Return: a file descriptor, or -1 with errno set.
 */
int pudge_igt_reopen(int fd);

/**
 * pudge_igt_param_keep() - put module parameter @name back at exit
 *
 * Records its value now, unless already recorded, for an exit handler that
 * writes it back when the test ends (exit, failure or fatal signal).
 * A parameter the loaded module lacks is ignored.
 */
void pudge_igt_param_keep(const char *name);

/**
 * __pudge_igt_param_set() - pudge_igt_param_keep(), then set @name
 *
 * Return: 0, or a negative errno (-ENOENT: no such parameter).
 */
int __pudge_igt_param_set(const char *name, long long value);

/**
 * pudge_igt_param_set() - __pudge_igt_param_set(), asserting success
 */
void pudge_igt_param_set(const char *name, long long value);

#endif /* PUDGE_IGT_H */
