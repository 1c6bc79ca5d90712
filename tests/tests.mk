# Userspace unit tests of pudge's pure logic (cmocka).  The files under
# test are compiled exactly as the module compiles them.

UNIT_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-missing-field-initializers \
	-Iuapi -Idrm -Isvm -Ittm -Icompat $(shell pkg-config --cflags libdrm cmocka)
UNIT_LIBS = $(shell pkg-config --libs cmocka)

UNIT_TESTS := $(B)/tests/test_args $(B)/tests/test_range_plan

$(B)/tests/test_args: tests/test_args.c drm/pudge_args.c drm/pudge_args.h \
		svm/pudge_svm_args.c svm/pudge_svm_args.h uapi/pudge_drm.h
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ tests/test_args.c drm/pudge_args.c svm/pudge_svm_args.c \
		$(UNIT_LIBS)

$(B)/tests/test_range_plan: tests/test_range_plan.c ttm/pudge_range_plan.c ttm/pudge_range_plan.h
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ tests/test_range_plan.c ttm/pudge_range_plan.c $(UNIT_LIBS)

# The IGT compat layer's own semantics (igt_fork, exit handlers, ...).
$(B)/tests/igt_compat_selftest: tests/igt_compat_selftest.c igt-tests/compat/igt_compat.c \
		igt-tests/compat/igt_device.c igt-tests/compat/igt.h
	@mkdir -p $(dir $@)
	$(CC) $(IGT_CFLAGS) -o $@ tests/igt_compat_selftest.c igt-tests/compat/igt_compat.c \
		igt-tests/compat/igt_device.c $(IGT_LIBS)

unit: $(UNIT_TESTS) $(B)/tests/igt_compat_selftest
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done
	@echo "== tests/igt_compat_check.sh"; tests/igt_compat_check.sh $(B)/tests/igt_compat_selftest
