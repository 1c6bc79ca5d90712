#!/usr/bin/env bash
# checkpatch.pl --strict over pudge's kernel-side C and headers, and the
# include and call graph check (tools/layering.py).  Runs in the
# rootfs; checkpatch comes from Debian's linux-source tarball, extracted once
# into /var/cache/checkpatch.
set -euo pipefail

cp_dir=/var/cache/checkpatch
if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-*.tar.xz | sort -V | tail -n 1)
	top=$(basename "$tarball" .tar.xz)
	mkdir -p "$cp_dir"
	tar -xJf "$tarball" -C "$cp_dir" --strip-components=1 \
		"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch"
fi

# ALLOC_WITH_SIZEOF asks for kzalloc_obj(), which 6.12 does not have.
cp() { "$cp_dir/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore ALLOC_WITH_SIZEOF "$@"; }
ret=0
# Generated probe results are not ours to style.
cp -f $(ls drm/*.[ch] svm/*.[ch] ttm/*.[ch] compat/*.h | grep -v -e '_gen\.h$' -e '_trace\.h$') || ret=1
# TRACE_EVENT()'s customary layout, as in-tree trace headers have it.
cp --ignore OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT -f $(ls drm/*_trace.h svm/*_trace.h ttm/*_trace.h 2>/dev/null) || ret=1
# uapi headers cannot use the kernel-internal BIT_ULL().
cp --ignore BIT_MACRO -f uapi/*.h || ret=1
# Dependencies run one way: drm/ -> svm/ -> ttm/ -> compat/ (README).
python3 tools/layering.py . || ret=1
exit $ret
