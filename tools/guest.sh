#!/usr/bin/env bash
# Runs inside the QEMU guest (virtme-ng) as root: load pudge, run the IGT
# suites with igt_runner, unload, and check the kernel log.  Writes
# /results/<kernel>/{igt/,dmesg.txt,checks.txt}.  Usage: guest.sh [demo]
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
kver=$(uname -r)
out=/results/$kver
mkdir -p "$out"
checks=$out/checks.txt
: >"$checks"
say() { echo "[guest $kver] $*"; }
check() {	# check NAME COMMAND...: record pass/fail of one step
	local name=$1
	shift
	if "$@"; then
		echo "pass $name" >>"$checks"
	else
		echo "fail $name" >>"$checks"
		say "FAILED: $name"
	fi
}

no_splat() {
	! grep -E 'BUG:|WARNING:|Oops|general protection|KFENCE|KASAN|list_del corruption|bad pud|bad pmd|Bad page|soft lockup|blocked for more than' \
		"$out/dmesg.txt"
}
if [ -f "$out/pudge.ko" ]; then
	# The patched debug kernel (tools/kernel.sh): DRM and TTM are built
	# in, pudge was built from the tree for this kernel by the test bed.
	say "loading pudge from the tree (insmod)"
	check load insmod "$out/pudge.ko"
else
	say "loading pudge (modprobe resolves drm, ttm, drm_buddy...)"
	check load modprobe pudge
fi
dmesg | grep -E 'pudge|\[drm\]' | tail -n 5
# After every test of ours, once its processes are gone, the device must
# hold nothing and the module parameters must be back at their values
# from the load (igt-tests/compat: IGT_COMPAT_POST_CHECK): else it fails.
grep -H . /sys/module/pudge/parameters/* >/tmp/pudge-params.txt
post_check="/src/build/tools/pudge-info --idle --params-as /tmp/pudge-params.txt"

if [ "${1:-}" = demo ]; then
	/src/build/tools/pudge-info
	exit 0
fi

if [ "${1:-}" = bench ]; then
	say "pudge-bench mmap"
	/src/build/tools/pudge-bench mmap --csv "$out/mmap.csv" | tee "$out/bench.txt"
	say "pudge-bench shared"
	/src/build/tools/pudge-bench shared | tee -a "$out/bench.txt"
	say "pudge-bench svm"
	/src/build/tools/pudge-bench svm | tee -a "$out/bench.txt"
	say "pudge-bench life"
	/src/build/tools/pudge-bench life | tee -a "$out/bench.txt"
	say "pudge-bench system"
	/src/build/tools/pudge-bench system | tee -a "$out/bench.txt"
	gnuplot -e "csv='$out/mmap.csv'; out='$out/mmap.svg'" /src/tools/bench-plot.gp
	# Beside qxl: the test bed gave this guest QEMU's qxl device.  fbcon
	# is unbound from qxl's framebuffer first: its drawing (the cursor
	# blink) takes qxl VRAM at random, which would make how much the
	# eviction workload needs differ from run to run.
	say "pudge-bench qxl"
	modprobe qxl
	for v in /sys/class/vtconsole/vtcon*; do
		grep -q 'frame buffer' "$v/name" 2>/dev/null && echo 0 >"$v/bind"
	done
	/src/build/tools/pudge-bench qxl --reps 5 --csv "$out/qxl.csv" | tee -a "$out/bench.txt"
	qxl_rc=${PIPESTATUS[0]}
	check bench-qxl test "$qxl_rc" = 0
	# The plot's table: workload/phase, qxl over pudge, qxl over pudge-4k.
	[ "$qxl_rc" = 0 ] && awk -F, 'NR > 1 { k = $1 "/" $2; ms[k, $3] = $4
			if (!(k in seen)) { seen[k] = 1; keys[++n] = k } }
		END { for (i = 1; i <= n; i++) { k = keys[i]
			if (ms[k, "qxl"] > 0 && ms[k, "pudge"] > 0 && ms[k, "pudge-4k"] > 0)
				printf "%s %.4f %.4f\n", k, ms[k, "qxl"] / ms[k, "pudge"],
					ms[k, "qxl"] / ms[k, "pudge-4k"] } }' \
		"$out/qxl.csv" >"$out/qxl-ratios.dat" &&
		gnuplot -e "dat='$out/qxl-ratios.dat'; out='$out/qxl.svg'; kernel='$kver'" \
			/src/tools/bench-qxl.gp
	check unload modprobe -r pudge
	dmesg >"$out/dmesg.txt"
	check dmesg-clean no_splat
	exit 0
fi

if [ "${1:-}" = stress ]; then
	# make stress: pudge_stress for ${2} seconds in all, shared by its
	# subtests, then the same checks as a suite run (nothing held after
	# each subtest, unload, kernel log).
	n=$(/src/build/igt/pudge_stress --list-subtests | wc -l)
	per=$(( ${2:-1800} / (n > 0 ? n : 1) ))
	say "pudge_stress, ${2:-1800} s: $n subtests, $per s each"
	IGT_COMPAT_POST_CHECK="$post_check" PUDGE_STRESS_SECONDS=$per \
		/src/build/igt/pudge_stress 2>&1 | tee "$out/stress.txt"
	check stress-subtests test "${PIPESTATUS[0]}" = 0
	check unload modprobe -r pudge
	dmesg >"$out/dmesg.txt"
	check dmesg-clean no_splat
	exit 0
fi

# The first look into debugfs' tracing directory logs a one-time level-4
# notice ("Automounting of tracing to debugfs is deprecated"); take it now
# so that igt_runner does not charge it to whichever test runs first.
ls /sys/kernel/debug/tracing >/dev/null 2>&1

# O_DIRECT only pins user pages on a block-device filesystem (on 9p,
# overlays and tmpfs it copies and "succeeds"): ext4 on a loop device.
odirect=/tmp/pudge-ext4
if { [ -e /dev/loop-control ] || modprobe loop; } && truncate -s 64M /tmp/pudge-ext4.img &&
	mkfs.ext4 -q -F /tmp/pudge-ext4.img && mkdir -p $odirect &&
	mount -o loop /tmp/pudge-ext4.img $odirect &&
	dd if=/dev/urandom of=$odirect/odirect.bin bs=1M count=4 status=none; then
	export PUDGE_ODIRECT_DIR=$odirect
else
	say "no ext4 loop mount: O_DIRECT subtests will skip"
fi

say "running IGT suites with igt_runner"
# The subtests that run for a set time (pudge_stress, pudge_svm's
# concurrent-owners and no-leak-after-chaos) run 10 s each here, 5 s on
# the debug kernel (lockdep, DEBUG_VM: about 1.4x slower), to keep make
# check within its time budget; make stress is the place for long runs.
secs=10
exclude=()
case $kver in
*-pudgedbg)
	secs=5
	# The subtests that fill 2 GiB of VRAM again and again cost 6.4 min
	# here (2.7 min on stock 7.2): they run on the stock 7.2 guest only,
	# to keep make check within its time budget; the summary lists them
	# as skips.
	heavy='vram-pressure|make-room-evicts|reclaim-vs-remigrate|free-then-create|munmap-during'
	# Likewise pudge_mmap's VRAM clearing cases, which write and read all
	# of VRAM several times (2.6 min on stock 7.2): the clearing code is
	# the same on every kernel, and the worker runs in every other test.
	heavy_mmap='no-stale-data|full-after-free|swapped-to-vram'
	exclude=(-x "pudge_svm@($heavy)|pudge_mmap@($heavy_mmap)")
	for t in ${heavy//|/ }; do
		echo "skip pudge_svm@$t-runs-on-stock-7.2-only" >>"$checks"
	done
	for t in ${heavy_mmap//|/ }; do
		echo "skip pudge_mmap@$t-runs-on-stock-7.2-only" >>"$checks"
	done
	;;
*)
	# On 6.12 the clearing cases add nothing 7.2 does not cover; the
	# swapped-out BO case stays (6.12 marks swapped TTs another way).
	case $kver in
	6.12.*)
		heavy_mmap='no-stale-data|full-after-free'
		exclude=(-x "pudge_mmap@($heavy_mmap)")
		for t in ${heavy_mmap//|/ }; do
			echo "skip pudge_mmap@$t-runs-on-stock-7.2-only" >>"$checks"
		done
		;;
	esac
	;;
esac
# Subtests of Debian's generic tests excluded with a reason (igt-generic.txt).
generic_x=$(awk '$1 == "exclude" && $2 ~ /@/ { printf "%s%s", sep, $2; sep = "|" }' \
	/src/igt-tests/igt-generic.txt)
if [ -n "$generic_x" ]; then
	if [ ${#exclude[@]} -gt 0 ]; then
		exclude=(-x "${exclude[1]}|$generic_x")
	else
		exclude=(-x "$generic_x")
	fi
fi
export PUDGE_STRESS_SECONDS=$secs PUDGE_SVM_SECONDS=$secs
IGT_COMPAT_POST_CHECK="$post_check" \
IGT_FORCE_DRIVER=pudge igt_runner -o --per-test-timeout 600 "${exclude[@]}" \
	/src/build/igt "$out/igt" >"$out/igt_runner.log" 2>&1
echo "igt_runner exit $?" >>"$out/igt_runner.log"

mountpoint -q $odirect && umount $odirect

say "unloading pudge"
check unload rmmod pudge
if lsmod | grep -q '^pudge '; then
	echo "fail unload-gone" >>"$checks"
fi

dmesg >"$out/dmesg.txt"
check dmesg-clean no_splat
# A lockdep report turns lock debugging off for the rest of the boot (and
# says so once): on a lockdep kernel, it must still be on at the end.
if [ -f /proc/lockdep_stats ]; then
	check lockdep-still-on grep -qE 'debug_locks: +1' /proc/lockdep_stats
fi
say "done"
