# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# User targets.  Kbuild (the file) is what the kernel build reads.
#
#   make [KDIR=...]   build pudge.ko against KDIR (default: running kernel)
#   make unit         build and run the userspace unit tests (tests/)
#   make userspace    build the IGT-style tests and pudge tools, and check
#                     that a client builds against an installed libpudge
#   make install      libpudge.so.0 + libpudge.pc, <libdrm/pudge_drm.h> and
#                     <libpudge/pudge.h> under PREFIX (/usr/local), DESTDIR
#   make demo         boot a 7.2 guest with pudge and print GET_PARAM
#   make lint         checkpatch.pl --strict on the kernel-side sources
#   make check        the whole suite on every kernel (what CI runs)
#   make bench        pudge-bench in a 7.2 guest: tables, CSV and SVG plot
#   make stress       pudge_stress in a 7.2 guest for STRESS_SECONDS in all
#                     (default 1800); fails on any anomaly, leak or splat

KDIR ?= /lib/modules/$(shell uname -r)/build
CC ?= gcc
B ?= build

.PHONY: all modules clean unit igt tools userspace lint demo check bench stress lib install install-check

all: modules

modules:
	compat/conftest.sh $(KDIR) compat/pudge_compat_gen.h
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	-[ -d $(KDIR) ] && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(B) compat/pudge_compat_gen.h

include tests/tests.mk
include igt-tests/igt-tests.mk
include tools/tools.mk

lint:
	tools/lint.sh

demo:
	tools/testbed.sh demo

check:
	tools/testbed.sh check

bench:
	tools/testbed.sh bench

STRESS_SECONDS ?= 1800
stress:
	tools/testbed.sh stress $(STRESS_SECONDS)
