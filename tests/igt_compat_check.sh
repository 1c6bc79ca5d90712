#!/usr/bin/env bash
# Runs tests/igt_compat_selftest and checks each outcome: the IGT compat
# layer must fail a subtest whose igt_fork() child fails, skips or outlives
# its timeout, fail loudly on an assertion outside the test's process, and
# run exit handlers once, in the test's process only.  Usage: $0 BINARY
set -u
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export IGT_COMPAT_SELFTEST_DIR=$dir
unset IGT_COMPAT_POST_CHECK IGT_SENTINEL_ON_STDERR
fails=0
expect() {	# expect SUBTEST EXIT-CODE RESULT-LINE|- [EXIT-HANDLER-SIG [HANDLER-RUNS]]
	local sub=$1 code=$2 line=$3 sig=${4:-0} runs=${5:-1} out rc n
	rm -f "$dir/exit-handler"
	out=$(timeout 30 "$bin" --run-subtest "$sub" 2>&1)
	rc=$?
	n=$(grep -c "^Subtest $sub:" <<<"$out")
	if [ "$rc" != "$code" ]; then
		echo "FAIL $sub: exit $rc, expected $code"; fails=$((fails + 1))
	elif [ "$line" != - ] && { [ "$n" != 1 ] || ! grep -q "^Subtest $sub: $line " <<<"$out"; }; then
		echo "FAIL $sub: expected one 'Subtest $sub: $line' line, got $n"; fails=$((fails + 1))
	elif [ "$line" = - ] && [ "$n" != 0 ]; then
		echo "FAIL $sub: expected no result line"; fails=$((fails + 1))
	elif grep -q "not reached" <<<"$out"; then
		echo "FAIL $sub: the parent went on after the failure"; fails=$((fails + 1))
	elif [ "$sig" != none ] && [ "$(wc -l <"$dir/exit-handler" 2>/dev/null)" != "$runs" ]; then
		echo "FAIL $sub: exit handler ran $(wc -l <"$dir/exit-handler" 2>/dev/null || echo 0) times"
		fails=$((fails + 1))
	elif [ "$sig" != none ] && [ "$(cut -d' ' -f2 "$dir/exit-handler" | sort -u)" != "$sig" ]; then
		echo "FAIL $sub: exit handler got signal $(cut -d' ' -f2 "$dir/exit-handler"), expected $sig"
		fails=$((fails + 1))
	else
		echo "ok   $sub"
	fi
	[ "$fails" = 0 ] || printf '%s\n' "$out" | sed 's/^/     | /'
}
expect fork-pass 0 SUCCESS
expect fork-child-fails 98 FAIL
expect fork-child-skips 98 FAIL
start=$SECONDS
expect fork-timeout 98 FAIL
[ $((SECONDS - start)) -lt 10 ] || { echo "FAIL fork-timeout: took $((SECONDS - start)) s"; fails=$((fails + 1)); }
expect plain-fork-assert 0 SUCCESS
# A thread cannot end a subtest: the process fails as a whole, and its
# exit handlers do not run (_exit).
expect thread-assert 98 - none
expect signal 143 - 15
expect fork-reaped-elsewhere 98 FAIL
# The child's own handler and the parent's, each in its own process.
expect fork-child-handler 0 SUCCESS 0 2
expect handler-asserts 98 SUCCESS none
# A parent that fails leaves no child behind to fail the next subtest.
out=$(timeout 30 "$bin" --run-subtest 'fork-leftover,after-leftover' 2>&1)
if grep -q "^Subtest fork-leftover: FAIL " <<<"$out" &&
	grep -q "^Subtest after-leftover: SUCCESS " <<<"$out"; then
	echo "ok   fork-leftover"
else
	echo "FAIL fork-leftover: the leftover child failed the next subtest"
	printf '%s\n' "$out" | sed 's/^/     | /'
	fails=$((fails + 1))
fi
# igt_runner's SIGTERM to a test under the post-check reaches the test.
IGT_COMPAT_POST_CHECK=true "$bin" --run-subtest sleeper >/dev/null 2>&1 &
wrapper=$!
sleep 1
kill -TERM $wrapper
sleep 2
if pgrep -f -- "--run-subtest sleeper" >/dev/null; then
	echo "FAIL sigterm-forwarded: the test outlived igt_runner's SIGTERM"
	pkill -KILL -f -- "--run-subtest sleeper"
	fails=$((fails + 1))
else
	echo "ok   sigterm-forwarded"
fi
wait $wrapper 2>/dev/null
# The post-check (IGT_COMPAT_POST_CHECK) reports every subtest's result,
# each a failure when the check fails.
# Plain words run without a shell (with their arguments); anything else
# through sh -c.  All 100 subtests for the first two, 10 for the others.
for post in "true:SUCCESS:100" "false:FAIL:100" "ls -d /:SUCCESS:10" \
	"ls -d /no-such-dir:FAIL:10" "true && false:FAIL:10" "false || true:SUCCESS:10"; do
	count=${post##*:}
	post=${post%:*}
	want=${post##*:}
	post=${post%:*}
	pattern='many-*'
	[ "$count" = 10 ] && pattern='many-1?'
	n=$(IGT_COMPAT_POST_CHECK=$post "$bin" --run-subtest "$pattern" 2>/dev/null |
		grep -c "^Subtest many-[0-9]*: $want ")
	if [ "$n" = "$count" ]; then
		echo "ok   $count subtests, post-check '$post'"
	else
		echo "FAIL $count subtests, post-check '$post': $n results say $want"
		fails=$((fails + 1))
	fi
done
exit $((fails > 0))
