# pudge's userspace tools, all libdrm clients over tools/libpudge.

TOOLS_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-Iuapi -Itools/libpudge $(shell pkg-config --cflags libdrm)
TOOLS_LIBS = $(shell pkg-config --libs libdrm)

$(B)/tools/%: tools/%.c tools/libpudge/pudge.c tools/libpudge/pudge.h uapi/pudge_drm.h
	@mkdir -p $(dir $@)
	$(CC) $(TOOLS_CFLAGS) -o $@ $< tools/libpudge/pudge.c $(TOOLS_LIBS)

tools: $(B)/tools/pudge-info $(B)/tools/pudge-bench

userspace: unit igt tools
