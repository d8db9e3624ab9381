#!/usr/bin/env bash
# Runs an unpacked image's entrypoint as a container runtime would, without one: in a mount namespace of its own
# (unshare -m), on its root filesystem made read-only, with /proc, a tmpfs /tmp and /dev, the host's /etc/hosts,
# as the image's user and with only the image's environment. Every mount ends with the process.
#   run-image.sh ROOTFS USER ENV-FILE -- ENTRYPOINT...
set -euo pipefail
root="$1" user="$2" environment="$3"
shift 4
mount --make-rprivate /
mount --bind "$root" "$root"
mount -o remount,bind,ro "$root"
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
mount -t tmpfs -o mode=755 tmpfs "$root/dev"
for device in null zero random urandom; do
  touch "$root/dev/$device"
  mount --bind "/dev/$device" "$root/dev/$device"
done
mount --bind /etc/hosts "$root/etc/hosts"
mapfile -t variables < "$environment"
exec env -i "${variables[@]}" /usr/sbin/chroot --userspec="$user" "$root" "$@"
