#!/usr/bin/env bash
# Make (once) and refresh the Debian sid rootfs that pudge is built and
# tested in.  The host stays on its own release: sid, trixie and
# experimental are only ever named inside the rootfs's apt sources.
#
# Cached outside the repo at $PUDGE_ROOTFS (default
# /var/cache/pudge/rootfs-sid); a second run with a warm cache does nothing
# but check a stamp.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ROOTFS=${PUDGE_ROOTFS:-/var/cache/pudge/rootfs-sid}
APT_OPTS=(-o Acquire::Check-Valid-Until=false -o Acquire::Retries=3
	  -o APT::Install-Recommends=false -o Dpkg::Use-Pty=0 -q -y)

# Bump when the package set changes so warm caches are refreshed.
STAMP_VERSION=9
PKGS=(build-essential make gcc kmod pkg-config libdrm-dev libcmocka-dev
      igt-gpu-tools igt-gpu-tools-tests dkms qemu-system-x86 virtme-ng
      qemu-system-modules-spice	# the qxl device beside pudge in make bench
      busybox-static e2fsprogs util-linux procps iproute2 python3 perl
      linux-image-amd64 linux-headers-amd64 file xz-utils ca-certificates
      gnuplot-nox linux-source
      flex bison bc libelf-dev libssl-dev)	# tools/kernel.sh

log() { echo "[rootfs] $*"; }

mirror=$("$here/mirror.sh")
[ -n "$mirror" ] || { echo "no Debian mirror in the host's apt configuration" >&2; exit 1; }

stamp="$ROOTFS/.pudge-stamp"
want="v$STAMP_VERSION ${PKGS[*]}"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	log "warm cache at $ROOTFS"
	exit 0
fi

if [ ! -x "$ROOTFS/usr/bin/apt-get" ]; then
	command -v debootstrap >/dev/null || {
		log "installing debootstrap on the host"
		apt-get update -q >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -q -y debootstrap >/dev/null
	}
	log "debootstrap sid into $ROOTFS"
	mkdir -p "$(dirname "$ROOTFS")"
	rm -rf "$ROOTFS.tmp"
	debootstrap --variant=minbase sid "$ROOTFS.tmp" "$mirror" >"$ROOTFS.debootstrap.log" 2>&1 ||
		{ tail -20 "$ROOTFS.debootstrap.log"; exit 1; }
	mv "$ROOTFS.tmp" "$ROOTFS"
fi

cat >"$ROOTFS/etc/apt/sources.list" <<SRC
deb $mirror sid main
deb $mirror trixie main
deb $mirror experimental main
SRC
# Prefer sid; trixie and experimental only for the kernels named below.
cat >"$ROOTFS/etc/apt/preferences.d/pudge" <<PREF
Package: *
Pin: release n=trixie
Pin-Priority: 100

Package: *
Pin: release a=experimental
Pin-Priority: 1
PREF
echo 'APT::Install-Recommends "false";' >"$ROOTFS/etc/apt/apt.conf.d/90pudge"
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf" 2>/dev/null || true

in_root() { chroot "$ROOTFS" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
	PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

log "apt-get update inside the rootfs"
in_root apt-get "${APT_OPTS[@]}" update >"$ROOTFS/.apt-update.log" 2>&1 ||
	{ tail -20 "$ROOTFS/.apt-update.log"; exit 1; }

# The newest 6.12 kernel of Debian 13 and the newest headers anywhere
# (experimental's release candidate),
# found by name so no version is hard-coded.
newest() { in_root apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -n 1; }
k612_img=$(newest '^linux-image-6\.12\.[0-9]+\+deb13-amd64$')
k612_hdr=${k612_img/linux-image/linux-headers}
kexp_hdr=$(newest '^linux-headers-[0-9]+\.[0-9]+(\.[0-9]+)?(\+[a-z0-9]+)?-amd64$')
log "kernels: sid default, $k612_img, $kexp_hdr"

log "installing ${#PKGS[@]} packages (+ kernels) inside the rootfs"
in_root apt-get "${APT_OPTS[@]}" install "${PKGS[@]}" >"$ROOTFS/.apt-install.log" 2>&1 ||
	{ tail -30 "$ROOTFS/.apt-install.log"; exit 1; }
in_root apt-get "${APT_OPTS[@]}" install -t trixie "$k612_img" "$k612_hdr" \
	>>"$ROOTFS/.apt-install.log" 2>&1 || { tail -30 "$ROOTFS/.apt-install.log"; exit 1; }
if [ -n "$kexp_hdr" ]; then
	in_root apt-get "${APT_OPTS[@]}" install -t experimental "$kexp_hdr" \
		>>"$ROOTFS/.apt-install.log" 2>&1 || { tail -30 "$ROOTFS/.apt-install.log"; exit 1; }
else
	log "WARNING: no 7.3-rc headers found in experimental"
fi
in_root apt-get clean
echo "$want" >"$stamp"
log "rootfs ready"
