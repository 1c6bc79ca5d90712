#!/usr/bin/env bash
# Developer loop: build pudge.ko and the userspace tests from this tree,
# boot one guest (7.2 by default) with the freshly built module loaded by
# insmod, run a command in it, and print the kernel log's splats.
#
#   tools/devrun.sh [-k 6.12|-k dbg] 'build/igt/pudge_svm --run-subtest thp-*'
#
# -k dbg boots the patched debug kernel of tools/kernel.sh (built first if
# it is not cached), or the build tree PUDGE_DBG_KDIR names in the rootfs.
#
# PUDGE_DEV_QEMU_OPTS adds QEMU options (another device, as make bench's
# qxl).  Output: results/dev/console.log, results/dev/dmesg.txt (results/$PUDGE_DEV_OUT/
# instead when set).  Guests wait for each other (flock).  Needs root and
# the rootfs (tools/rootfs.sh); not part of make check.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
ROOTFS=${PUDGE_ROOTFS:-/var/cache/pudge/rootfs-sid}
export PUDGE_ROOTFS=$ROOTFS
kpat='^7\.2\.'
if [ "${1:-}" = -k ]; then
	kpat="^${2//./\\.}\\."
	shift 2
fi
[ $# -ge 1 ] || { echo "usage: $0 [-k VERSION|dbg] COMMAND" >&2; exit 2; }
if [ "$kpat" = '^dbg\.' ]; then
	# PUDGE_DBG_KDIR: another build tree in the rootfs, for trying a patch.
	kdir=${PUDGE_DBG_KDIR:-$("$here/kernel.sh")} || exit 1
	vmlinuz=$kdir/arch/x86/boot/bzImage
else
	k=$(ls "$ROOTFS/usr/src" | sed -n "s/^linux-headers-\(.*-amd64\)$/\1/p" |
		grep -E "$kpat" | sort -V | tail -n 1)
	[ -n "$k" ] || { echo "no kernel matching $kpat in the rootfs" >&2; exit 1; }
	kdir=/usr/src/linux-headers-$k
	vmlinuz=/boot/vmlinuz-$k
fi
results=$repo/results
dev=${PUDGE_DEV_OUT:-dev}
mkdir -p "$results/$dev"
# One build and guest at a time on this machine: wait for any other dev run.
exec 9>/tmp/pudge-guest.lock
flock 9

"$here/inroot.sh" make -s KDIR="$kdir" modules >"$results/$dev/build.log" 2>&1 ||
	{ tail -n 30 "$results/$dev/build.log"; exit 1; }
"$here/inroot.sh" make -s igt tools >>"$results/$dev/build.log" 2>&1 ||
	{ tail -n 30 "$results/$dev/build.log"; exit 1; }

cat >"$results/$dev/run.sh" <<EOF
#!/bin/bash
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
cd /src
modprobe -a drm ttm drm_ttm_helper 2>/dev/null	# built in on the debug kernel
# A DKMS-installed pudge in the rootfs (make check installs one while it
# runs) may have been loaded at boot: test this tree's module, or nothing.
rmmod pudge 2>/dev/null
insmod /src/pudge.ko ${PUDGE_INSMOD_ARGS:-} || { echo "[dev] insmod of the tree's module failed"; exit 1; }
echo 1 > /sys/kernel/mm/ksm/run 2>/dev/null
ls /sys/kernel/debug/tracing >/dev/null 2>&1
bash -c '$*'
echo "[dev] command exit \$?"
rmmod pudge || echo "[dev] rmmod failed"
dmesg > /results/$dev/dmesg.txt
EOF
chmod +x "$results/$dev/run.sh"
timeout "${PUDGE_DEV_TIMEOUT:-1200}" "$here/inroot.sh" --results "$results" vng --run "$vmlinuz" \
	--force-9p --disable-kvm --cpus 2 --memory 3G --rwdir /results --append tsc=reliable \
	--qemu-opts="-object memory-backend-ram,id=vram,size=2G,prealloc=on -device ivshmem-plain,memdev=vram ${PUDGE_DEV_QEMU_OPTS:-}" \
	--exec /results/$dev/run.sh >"$results/$dev/console.log" 2>&1
echo "[dev] guest exit $?"
grep -vE '^\s*$' "$results/$dev/console.log" | tail -n "${PUDGE_DEV_TAIL:-60}"
grep -nE 'BUG:|WARNING:|Oops|general protection|KFENCE|list_del corruption|bad pud|bad pmd|Bad page|hung_task|soft lockup' \
	"$results/$dev/dmesg.txt" 2>/dev/null | head -n 20
