#!/usr/bin/env bash
# Build (once) the patched debug kernel the test bed boots as its third
# guest: Debian's linux-source-7.2 from the rootfs, the kernel-patches/
# series applied, virtme-ng's minimal config with tools/kernel/debug.config
# merged over it (lockdep, DEBUG_VM, page-table check...).
#
# Cached inside the rootfs at /var/cache/pudge-kernel/<key>, where key
# hashes the source tarball, the patches, the config fragment and
# RECIPE below: a change to any of them builds a new kernel, nothing else
# does.  Only the newest build is kept (each is about 2.7 GB).
# Prints the build directory as seen inside the rootfs (bzImage at
# arch/x86/boot/bzImage; also the KDIR for building pudge against it).
#
# Usage: tools/kernel.sh [--print-only]   (--print-only: print the path if
#        cached, exit 1 if not, build nothing)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
ROOTFS=${PUDGE_ROOTFS:-/var/cache/pudge/rootfs-sid}
jobs=${PUDGE_KERNEL_JOBS:-$(nproc)}
# Bump when the build steps below change what gets built.
RECIPE=1

log() { echo "[kernel] $*" >&2; }

tarball=$(ls "$ROOTFS"/usr/src/linux-source-7.2.tar.xz 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { log "no linux-source-7.2 in the rootfs (tools/rootfs.sh)"; exit 1; }
patches=()
for p in "$repo"/kernel-patches/[0-9][0-9][0-9][0-9]-*.patch; do
	case $p in */0000-*) ;; *) patches+=("$p") ;; esac
done
frag=$here/kernel/debug.config

key=$( { sha256sum "$tarball" | cut -c1-64; cat "${patches[@]}" "$frag"; echo "recipe $RECIPE"; } |
	sha256sum | cut -c1-16)
dir=/var/cache/pudge-kernel/$key
if [ -f "$ROOTFS$dir/.pudge-built" ]; then
	echo "$dir"
	exit 0
fi
[ "${1:-}" = --print-only ] && exit 1

log "building $dir (linux-source-7.2 + ${#patches[@]} patches, make -j$jobs)"
rm -rf "$ROOTFS$dir"
mkdir -p "$ROOTFS$dir"
cp "${patches[@]}" "$frag" "$ROOTFS$dir/"
t0=$(date +%s)
# shellcheck disable=SC2016
"$here/inroot.sh" bash -euo pipefail -c '
	dir=$1 jobs=$2
	cd "$dir"
	tar -xf /usr/src/linux-source-7.2.tar.xz --strip-components=1
	for p in "$dir"/[0-9][0-9][0-9][0-9]-*.patch; do
		patch -p1 -s --no-backup-if-mismatch <"$p"
	done
	vng --kconfig >/dev/null
	scripts/kconfig/merge_config.sh -m .config "$dir/debug.config" >/dev/null
	make -s olddefconfig
	# Fail now, not at boot, if a symbol did not survive olddefconfig.
	missing=0
	while IFS= read -r line; do
		case $line in CONFIG_*=n) continue ;; CONFIG_*) ;; *) continue ;; esac
		grep -qxF "$line" .config || { echo "config: $line did not stick" >&2; missing=1; }
	done <"$dir/debug.config"
	[ $missing = 0 ]
	make -s -j"$jobs" bzImage modules
	make -s modules_prepare
' bash "$dir" "$jobs" >"$ROOTFS$dir.log" 2>&1 || {
	tail -n 40 "$ROOTFS$dir.log" >&2
	log "build failed; log in $ROOTFS$dir.log"
	exit 1
}
touch "$ROOTFS$dir/.pudge-built"
log "built in $(($(date +%s) - t0)) s"
for old in "$ROOTFS"/var/cache/pudge-kernel/*; do
	case $old in "$ROOTFS$dir" | "$ROOTFS$dir.log") ;; *) rm -rf "$old" ;; esac
done
echo "$dir"
