#!/bin/sh
# Rebuilds status-states: real dpkg (Debian 12, dpkg 1.21) puts five tiny packages, built here
# with dpkg-deb, into five different states inside a scratch --root/--admindir.
# Usage: sh make-states.sh > status-states   (as root or with --force-not-root; touches only a temp dir)
set -eu
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/root" "$W/admin/info" "$W/admin/updates" "$W/admin/triggers"
touch "$W/admin/status" "$W/admin/available"

# mk NAME VERSION ARCH SOURCE(optional) CONFFILE(yes|"")
mk() {
  P="$W/pkg-$1"
  mkdir -p "$P/DEBIAN" "$P/usr/share/doc/$1" "$P/etc"
  echo "fixture $1" > "$P/usr/share/doc/$1/README"
  {
    echo "Package: $1"; echo "Version: $2"; echo "Architecture: $3"
    [ -n "$4" ] && echo "Source: $4"
    echo "Maintainer: Bulwark Tests <tests@bulwark.invalid>"
    echo "Description: Bulwark dpkg state fixture $1"
    echo " Built by make-states.sh to put dpkg into a real package state."
    echo " ."
    echo " Second paragraph of the long description."
  } > "$P/DEBIAN/control"
  if [ -n "$5" ]; then echo "k=v" > "$P/etc/$1.conf"; echo "/etc/$1.conf" > "$P/DEBIAN/conffiles"; fi
  dpkg-deb --root-owner-group --build "$P" "$W/$1.deb" >/dev/null
}
mk fixture-installed 1.0-1 all "fixture-src (2:1.0-0.1)" ""
mk fixture-removed 2.0-3 amd64 "" yes
mk fixture-unpacked 3.0 amd64 "fixture-src" ""
mk fixture-deselected 1:4.2~rc1-1 amd64 "" ""
P="$W/pkg-fixture-halfconf"; mkdir -p "$P/DEBIAN"
printf 'Package: fixture-halfconf\nVersion: 0.9\nArchitecture: amd64\nMulti-Arch: same\nMaintainer: Bulwark Tests <tests@bulwark.invalid>\nDescription: Bulwark dpkg state fixture fixture-halfconf\n Its postinst fails, leaving dpkg state half-configured.\n' > "$P/DEBIAN/control"
printf '#!/bin/sh\nexit 1\n' > "$P/DEBIAN/postinst"; chmod 755 "$P/DEBIAN/postinst"
dpkg-deb --root-owner-group --build "$P" "$W/fixture-halfconf.deb" >/dev/null

D="dpkg --root=$W/root --admindir=$W/admin --force-not-root --force-bad-path --log=/dev/null"
$D -i "$W/fixture-installed.deb" "$W/fixture-removed.deb" "$W/fixture-deselected.deb" >&2
$D --remove fixture-removed >&2                                   # -> deinstall ok config-files
$D --unpack "$W/fixture-unpacked.deb" >&2                         # -> install ok unpacked
echo "fixture-deselected deinstall" | $D --set-selections         # -> deinstall ok installed
# The postinst only runs `exit 1`; chrootless because the scratch root has no /bin/sh.
$D --force-script-chrootless -i "$W/fixture-halfconf.deb" >&2 || true   # -> install ok half-configured
cat "$W/admin/status"
