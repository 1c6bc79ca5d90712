# pudge's userspace tools, all libdrm clients over tools/libpudge.

TOOLS_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-Iuapi -Itools/libpudge $(shell pkg-config --cflags libdrm)
TOOLS_LIBS = $(shell pkg-config --libs libdrm)

$(B)/tools/%: tools/%.c tools/libpudge/pudge.c tools/libpudge/pudge.h uapi/pudge_drm.h
	@mkdir -p $(dir $@)
	$(CC) $(TOOLS_CFLAGS) -o $@ $< tools/libpudge/pudge.c $(TOOLS_LIBS)

# pudge-bench is two files: the qxl comparison has its own.
$(B)/tools/pudge-bench: tools/pudge-bench.c tools/pudge-bench-qxl.c tools/pudge-bench.h \
		tools/libpudge/pudge.c tools/libpudge/pudge.h uapi/pudge_drm.h
	@mkdir -p $(dir $@)
	$(CC) $(TOOLS_CFLAGS) -o $@ tools/pudge-bench.c tools/pudge-bench-qxl.c \
		tools/libpudge/pudge.c $(TOOLS_LIBS)

tools: $(B)/tools/pudge-info $(B)/tools/pudge-bench

# libpudge as an installable shared library with a pkg-config file, for
# Mesa-style clients: pkg-config --cflags --libs libpudge libdrm.  The uapi
# header goes where libdrm's driver headers are (<libdrm/pudge_drm.h>).
LIBPUDGE_VERSION := 0.3.0
LIBPUDGE_SONAME := libpudge.so.0
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

$(B)/lib/libpudge.so.$(LIBPUDGE_VERSION): tools/libpudge/pudge.c tools/libpudge/pudge.h uapi/pudge_drm.h
	@mkdir -p $(dir $@)
	$(CC) $(TOOLS_CFLAGS) -fPIC -shared -Wl,-soname,$(LIBPUDGE_SONAME) -o $@ \
		tools/libpudge/pudge.c $(TOOLS_LIBS)

$(B)/lib/libpudge.pc: tools/libpudge/libpudge.pc.in tools/tools.mk
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LIBPUDGE_VERSION)|' $< > $@

lib: $(B)/lib/libpudge.so.$(LIBPUDGE_VERSION) $(B)/lib/libpudge.pc

install: lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/libdrm \
		$(DESTDIR)$(INCLUDEDIR)/libpudge
	install -m 0755 $(B)/lib/libpudge.so.$(LIBPUDGE_VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libpudge.so.$(LIBPUDGE_VERSION) $(DESTDIR)$(LIBDIR)/$(LIBPUDGE_SONAME)
	ln -sf $(LIBPUDGE_SONAME) $(DESTDIR)$(LIBDIR)/libpudge.so
	install -m 0644 $(B)/lib/libpudge.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 0644 uapi/pudge_drm.h $(DESTDIR)$(INCLUDEDIR)/libdrm/
	install -m 0644 tools/libpudge/pudge.h $(DESTDIR)$(INCLUDEDIR)/libpudge/

# A client built the installed way: pudge-info against a staged install,
# found through pkg-config only, and started to show that it loads.
INSTALL_CHECK_DIR := $(CURDIR)/$(B)/install-check
install-check:
	rm -rf $(INSTALL_CHECK_DIR)
	$(MAKE) -s install PREFIX=$(INSTALL_CHECK_DIR) B=$(B)
	PKG_CONFIG_PATH=$(INSTALL_CHECK_DIR)/lib/pkgconfig \
		sh -c '$(CC) -std=gnu11 -Wall -Werror -o $(B)/install-check/pudge-info \
			tools/pudge-info.c $$(pkg-config --cflags --libs libpudge libdrm)'
	@# No device here: it may fail, but not to load (127).
	LD_LIBRARY_PATH=$(INSTALL_CHECK_DIR)/lib $(B)/install-check/pudge-info \
		>/dev/null 2>&1; test $$? -ne 127

userspace: unit igt tools install-check
