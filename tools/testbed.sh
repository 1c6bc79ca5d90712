#!/usr/bin/env bash
# The test bed.  Runs on the host as root; everything else happens inside
# the cached sid rootfs (tools/rootfs.sh) and QEMU guests booted from it.
#
#   testbed.sh check   unit tests; module builds against 7.2, 6.12 and
#                      7.3-rc (warnings fail); DKMS add/build/install for
#                      7.2 and 6.12; then each of those kernels booted under
#                      QEMU TCG with an ivshmem VRAM BAR running the IGT
#                      suites; then the same on the patched debug kernel
#                      (tools/kernel.sh: kernel-patches/ applied, lockdep,
#                      DEBUG_VM, page-table check), pudge built from the
#                      tree for it; a summary per kernel.
#   testbed.sh demo    boot 7.2 with pudge and print what it offers.
#   testbed.sh bench   boot 7.2 with a qxl device beside pudge's VRAM and
#                      run pudge-bench (tables, CSVs, SVG plots).
#   testbed.sh stress [SECONDS]
#                      boot 7.2 and run pudge_stress for SECONDS in all
#                      (default 1800); fails on any anomaly, leak or
#                      kernel splat.
#
# Results: results/<kernel>/ (console.log, igt/, dmesg.txt, checks.txt).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
results=${PUDGE_RESULTS:-$repo/results}
ROOTFS=${PUDGE_ROOTFS:-/var/cache/pudge/rootfs-sid}
export PUDGE_ROOTFS=$ROOTFS
mode=${1:-check}
stress_secs=${2:-1800}
t0=$(date +%s)

log() { printf '[testbed %4ss] %s\n' "$(($(date +%s) - t0))" "$*"; }
inroot() { "$here/inroot.sh" --results "$results" "$@"; }

passed=0 failed=0 skipped=0
record() {	# record pass|fail|skip NAME
	case $1 in
	pass) passed=$((passed + 1)) ;;
	fail) failed=$((failed + 1)); log "FAIL: $2" ;;
	skip) skipped=$((skipped + 1)) ;;
	esac
	echo "$1 $2" >>"$results/summary.txt"
}

[ "$(id -u)" = 0 ] || { echo "the test bed needs root (chroot, mounts)" >&2; exit 1; }
log "rootfs"
"$here/rootfs.sh" || exit 1

# Kernels by role, found in the rootfs rather than hard-coded.
kernels() { ls "$ROOTFS/usr/src" | sed -n "s/^linux-headers-\(.*-amd64\)$/\1/p" | sort -V; }
k72=$(kernels | grep -E '^7\.2\.' | tail -n 1)
k612=$(kernels | grep -E '^6\.12\.' | tail -n 1)
kexp=$(kernels | tail -n 1)
boot_kernels=("$k72" "$k612")
[ "$mode" != check ] && boot_kernels=("$k72")
# The patched debug kernel: built once, cached by tools/kernel.sh.
kdbg=
if [ "$mode" = check ]; then
	log "patched debug kernel (tools/kernel.sh)"
	if kdbg_dir=$("$here/kernel.sh"); then
		kdbg=$(cat "$ROOTFS$kdbg_dir/include/config/kernel.release")
		boot_kernels+=("$kdbg")
	else
		record fail "debug-kernel-build"
	fi
fi

rm -rf "$results"
mkdir -p "$results"
: >"$results/summary.txt"

log "userspace: unit tests, IGT tests and tools"
# Builds in parallel (the machine's cores), the unit tests after them.
jobs=-j$(nproc)
if inroot bash -c "make -s $jobs userspace && make -s unit" >"$results/userspace.log" 2>&1; then
	record pass userspace-build-and-unit
else
	tail -n 30 "$results/userspace.log"
	record fail userspace-build-and-unit
fi

if [ "$mode" = check ]; then
	log "checkpatch --strict"
	if inroot make -s lint >"$results/lint.log" 2>&1; then
		record pass checkpatch
	else
		cat "$results/lint.log"
		record fail checkpatch
	fi
	for k in "$k72" "$k612" "$kexp"; do
		log "module build against $k"
		if inroot make -s $jobs KDIR="/usr/src/linux-headers-$k" modules \
			>"$results/build-$k.log" 2>&1 && ! grep -qiE 'warning|error' "$results/build-$k.log"; then
			record pass "build-$k"
		else
			tail -n 20 "$results/build-$k.log"
			record fail "build-$k"
		fi
	done
fi

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$repo/dkms.conf")
dkms_clean() { inroot bash -c "dkms remove pudge/$ver --all >/dev/null 2>&1; rm -rf /usr/src/pudge-$ver" || true; }
trap dkms_clean EXIT
dkms_clean
log "DKMS add of the tree as pudge/$ver"
# The tracked files only: no build products or results in the DKMS tree.
mkdir -p "$ROOTFS/usr/src/pudge-$ver"
(cd "$repo" && git ls-files -z | xargs -0 cp --parents -t "$ROOTFS/usr/src/pudge-$ver")
if inroot dkms add "pudge/$ver" >"$results/dkms.log" 2>&1; then
	record pass dkms-add
else
	record fail dkms-add
fi

for k in "${boot_kernels[@]}"; do
	vmlinuz=/boot/vmlinuz-$k
	if [ "$k" = "$kdbg" ]; then
		# No /lib/modules tree for this kernel (all it needs is built
		# in): pudge is built from the tree against it and insmod'ed.
		log "module build against the debug kernel $k"
		vmlinuz=$kdbg_dir/arch/x86/boot/bzImage
		mkdir -p "$results/$k"
		if inroot bash -c "make -s $jobs KDIR=$kdbg_dir modules && cp pudge.ko /results/$k/pudge.ko" \
			>"$results/build-$k.log" 2>&1 && ! grep -qiE 'warning|error' "$results/build-$k.log"; then
			record pass "build-$k"
		else
			tail -n 20 "$results/build-$k.log"
			record fail "build-$k"
			continue
		fi
	else
		log "DKMS build and install for $k"
		if inroot bash -c "dkms build pudge/$ver -k $k && dkms install pudge/$ver -k $k" \
			>>"$results/dkms.log" 2>&1; then
			record pass "dkms-install-$k"
		else
			tail -n 20 "$results/dkms.log"
			record fail "dkms-install-$k"
			continue
		fi
	fi

	log "booting $k under QEMU TCG (2 GiB ivshmem VRAM BAR)"
	mkdir -p "$results/$k"
	# tsc=reliable: under TCG on a busy host the clocksource watchdog marks
	# the emulated TSC unstable with a level-4 message, which igt_runner
	# charges to whatever test runs then (seen: core_auth@many-magics
	# dmesg-warn while three guests shared the 2 cores).
	gargs=${mode/check/}
	limit=1800
	append=tsc=reliable
	# The debug kernel panics on an Oops: put the report on the console
	# (console.log) too, since the guest ends with it.
	[ "$k" = "$kdbg" ] && append="$append loglevel=5"
	if [ "$mode" = stress ]; then
		gargs="stress $stress_secs"
		limit=$((stress_secs * 2 + 900))
	fi
	# make bench: a qxl device beside pudge's VRAM, for the in-tree qxl
	# driver on stock TTM faulting.  Its VRAM is its RAM BAR, 32-bit:
	# 512 MiB is the most that fits below 4 GiB here.
	extra=
	[ "$mode" = bench ] && extra=" -device qxl,ram_size_mb=512"
	timeout "$limit" "$here/inroot.sh" --results "$results" vng --run "$vmlinuz" \
		--force-9p --disable-kvm --cpus 2 --memory 3G --rwdir /results --append "$append" \
		--qemu-opts="-object memory-backend-ram,id=vram,size=2G,prealloc=on -device ivshmem-plain,memdev=vram$extra" \
		--exec "/src/tools/guest.sh $gargs" >"$results/$k/console.log" 2>&1
	rc=$?
	grep '^\[guest' "$results/$k/console.log"
	[ "$mode" = demo ] && { sed -n '/^pudge device/,$p' "$results/$k/console.log"; continue; }
	[ "$mode" = bench ] && cat "$results/$k/bench.txt"
	[ $rc = 0 ] && record pass "boot-$k" || record fail "boot-$k (rc $rc)"

	# Guest-side checks (load, unload, kernel log; bench: pudge-bench qxl).
	while read -r res name; do record "$res" "$k: $name"; done <"$results/$k/checks.txt"
	[ "$mode" = bench ] && continue
	if [ "$mode" = stress ]; then
		grep -E 'seed|anomal|held|FAIL|SUCCESS' "$results/$k/stress.txt" | sed 's/^/  /'
		continue
	fi
	# IGT results, one line per subtest.  A guest that died mid-run (the
	# debug kernel panics on an Oops) left igt_runner's journal: make the
	# results of what ran from it, and fail the run for the rest.
	if [ ! -f "$results/$k/igt/results.json" ] && [ -f "$results/$k/igt/joblist.txt" ]; then
		inroot igt_results "/results/$k/igt" >/dev/null 2>&1
		record fail "$k: the IGT run did not finish (guest died?): partial results"
	fi
	if [ -f "$results/$k/igt/results.json" ]; then
		python3 "$here/igt_summary.py" "$results/$k/igt/results.json" >"$results/$k/igt-summary.txt"
		while read -r res name; do record "$res" "$k: $name"; done <"$results/$k/igt-summary.txt"
	else
		record fail "$k: igt results.json missing"
	fi
done

log "summary"
for k in "${boot_kernels[@]}"; do
	printf '  %-24s %3d passed %3d failed %3d skipped\n' "$k" \
		"$(grep -c "^pass $k:" "$results/summary.txt")" \
		"$(grep -c "^fail $k:" "$results/summary.txt")" \
		"$(grep -c "^skip $k:" "$results/summary.txt")"
done
grep -E '^(fail|skip) ' "$results/summary.txt" | sed 's/^/  /'
log "wall time $(($(date +%s) - t0)) s; results in $results"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
