#!/usr/bin/env bash
# Run a command inside the sid rootfs with the repo at /src and the results
# directory at /results, and the host's /dev, /proc and /sys bind-mounted.
# Usage: tools/inroot.sh [--results DIR] CMD [ARGS...]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
ROOTFS=${PUDGE_ROOTFS:-/var/cache/pudge/rootfs-sid}
results=$repo/results
if [ "${1:-}" = --results ]; then
	results=$2
	shift 2
fi
mkdir -p "$results"

mounted=()
bind() {
	mkdir -p "$ROOTFS$2"
	mountpoint -q "$ROOTFS$2" && return 0
	mount --bind "$1" "$ROOTFS$2"
	mounted=("$ROOTFS$2" "${mounted[@]}")
}
cleanup() {
	for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done
}
trap cleanup EXIT

bind /dev /dev
bind /dev/pts /dev/pts
bind /proc /proc
bind /sys /sys
bind "$repo" /src
bind "$results" /results

chroot "$ROOTFS" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	CI="${CI:-}" /bin/bash -c 'cd /src && "$@"' bash "$@"
