# IGT-style tests, built standalone against igt-tests/compat (see README).
# $(B)/igt holds a test root for igt_runner: our binaries, links to
# Debian's generic IGT tests, and test-list.txt.

IGT_CFLAGS = -std=gnu11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Wshadow -Werror -Wno-unused-parameter \
	-Iigt-tests/compat -Iuapi -Itools/libpudge $(shell pkg-config --cflags libdrm)
IGT_LIBS = $(shell pkg-config --libs libdrm) -lpthread
IGT_DEBIAN := /usr/libexec/igt-gpu-tools
# Debian tests that apply to pudge, and why the others do not: igt-generic.txt.
IGT_GENERIC := $(shell awk '$$1 == "run" { print $$2 }' igt-tests/igt-generic.txt)
IGT_OURS := pudge_basic pudge_mmap pudge_gup pudge_svm pudge_stress pudge_mm pudge_prime
IGT_COMMON := igt-tests/compat/igt_compat.c igt-tests/compat/igt_device.c \
	igt-tests/pudge_igt.c tools/libpudge/pudge.c
IGT_HDRS := igt-tests/compat/igt.h igt-tests/pudge_igt.h tools/libpudge/pudge.h uapi/pudge_drm.h

$(B)/igt/%: igt-tests/%.c $(IGT_COMMON) $(IGT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(IGT_CFLAGS) -o $@ $< $(IGT_COMMON) $(IGT_LIBS)

$(B)/igt/test-list.txt: igt-tests/igt-tests.mk igt-tests/igt-generic.txt
	@mkdir -p $(dir $@)
	@for t in $(IGT_GENERIC); do ln -sf $(IGT_DEBIAN)/$$t $(B)/igt/$$t; done
	@{ echo TESTLIST; for t in $(IGT_OURS) $(IGT_GENERIC); do echo $$t; done; \
	   echo END TESTLIST; } > $@

igt: $(addprefix $(B)/igt/,$(IGT_OURS)) $(B)/igt/test-list.txt
