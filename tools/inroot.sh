#!/usr/bin/env bash
# Run a command inside the sid rootfs with the repo at /src and the results
# directory at /results, and the host's /dev, /proc and /sys bind-mounted.
# Usage: tools/inroot.sh [--results DIR] CMD [ARGS...]
#
# The bind mounts live in a private mount namespace of their own: they go
# away with the command, even when it is killed, and runs from two
# checkouts never see each other's /src.  (Mounts made on the host once
# outlived a killed run, and the next run from another checkout silently
# built and tested the stale tree.)
set -euo pipefail

if [ -z "${PUDGE_INROOT_NS:-}" ]; then
	exec /usr/bin/env PUDGE_INROOT_NS=1 \
		unshare --mount --propagation private "$0" "$@"
fi
unset PUDGE_INROOT_NS

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
ROOTFS=${PUDGE_ROOTFS:-/var/cache/pudge/rootfs-sid}
results=$repo/results
if [ "${1:-}" = --results ]; then
	results=$2
	shift 2
fi
mkdir -p "$results"

# Always mount, on top of whatever is there: inside this namespace a bind
# stacks over (and hides) anything stale left on the rootfs.
bind() {
	mkdir -p "$ROOTFS$2"
	mount --bind "$1" "$ROOTFS$2"
}
bind /dev /dev
bind /dev/pts /dev/pts
bind /proc /proc
bind /sys /sys
bind "$repo" /src
bind "$results" /results

exec chroot "$ROOTFS" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	CI="${CI:-}" /bin/bash -c 'cd /src && "$@"' bash "$@"
