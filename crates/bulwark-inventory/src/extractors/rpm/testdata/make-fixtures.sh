#!/bin/sh
# Regenerates the rpm database fixtures in this directory with real tools:
# Debian's rpm/rpmbuild (packages, sqlite and bdb_ro), an rpm built with ndb, Berkeley DB's db5.3_load (hash).
# Needs: rpm, rpmbuild, gpg, sqlite3, db5.3-util (db5.3_load).
# Debian's rpm is built without the ndb backend: point RPM_NDB at an rpm binary
# built from Debian's own rpm source with --enable-ndb (README.md shows how).
set -eu

RPM_NDB=${RPM_NDB:-rpm}
if ! "$RPM_NDB" --showrc >/dev/null 2>&1; then
    echo "RPM_NDB=$RPM_NDB is not an rpm binary" >&2
    exit 1
fi

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

QF='%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH}\n'
export SOURCE_DATE_EPOCH=1700000000

# 1. Build the packages.
for spec in "$here"/specs/*.spec; do
    rpmbuild -bb --quiet \
        --define "_topdir $work/build" \
        --define 'debug_package %{nil}' \
        --define '_build_id_links none' \
        --define '_buildhost fixtures.bulwark.invalid' \
        --define 'use_source_date_epoch_as_buildtime 1' \
        "$spec" >/dev/null
done
rpms=$(find "$work/build/RPMS" -name '*.rpm' | sort)

# 2. A throwaway OpenPGP key, imported so the database holds a gpg-pubkey pseudo-package.
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'Bulwark Fixtures <fixtures@bulwark.invalid>' rsa2048 sign never
gpg --batch --armor --export fixtures@bulwark.invalid > "$work/key.asc"

# 3. Install the packages (database only) into an sqlite and an ndb database.
make_db() { # rpm-binary backend dir
    "$1" --dbpath "$3" --define "_db_backend $2" --initdb
    # shellcheck disable=SC2086
    "$1" --dbpath "$3" --define "_db_backend $2" -i --nodeps --justdb --noscripts --ignorearch --ignoreos $rpms
    "$1" --dbpath "$3" --define "_db_backend $2" --import "$work/key.asc"
}
qa() { # rpm-binary backend dir: what rpm itself lists
    "$1" --dbpath "$3" --define "_db_backend $2" -qa --queryformat "$QF" 2>"$work/qa.err" | LC_ALL=C sort
    if grep -q -e 'invalid %_db_backend' -e 'error' "$work/qa.err"; then
        cat "$work/qa.err" >&2
        exit 1
    fi
}
make_db rpm sqlite "$work/sqlite"
if [ -s "$work/sqlite/rpmdb.sqlite-wal" ]; then
    echo "rpm left committed data in rpmdb.sqlite-wal" >&2
    exit 1
fi
# rpm writes 4 kB pages and one table per index: 200+ kB for five packages. Shrink
# the pages to 512 bytes (same content, still WAL mode as rpm left it); rpm reads it below.
sqlite3 "$work/sqlite/rpmdb.sqlite" 'PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM; PRAGMA journal_mode=WAL;' >/dev/null
qa rpm sqlite "$work/sqlite" > "$here/rpm-qa-sqlite.txt"
make_db "$RPM_NDB" ndb "$work/ndb"
qa "$RPM_NDB" ndb "$work/ndb" > "$here/rpm-qa-ndb.txt"
cp "$work/sqlite/rpmdb.sqlite" "$here/rpmdb.sqlite"
cp "$work/ndb/Packages.db" "$here/Packages.db"

# 4. Berkeley DB hash databases holding the same header blobs, keyed by 4-byte
#    package number in the database's byte order, as rpm's old db backend wrote
#    them. Key 0 holds the next free package number, as in real rpm databases.
#    - Packages: little-endian, 512-byte pages: every header spans a chain of
#      overflow pages.
#    - Packages-bigendian: big-endian (as written on s390x/ppc64), 8 KiB pages:
#      small headers sit inline on the hash pages, large ones on one overflow page.
u32() { # value byte-order(1234|4321)
    if [ "$2" = 1234 ]; then
        printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
    else
        printf '%02x%02x%02x%02x' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255))
    fi
}
make_bdb() { # pagesize byte-order out-file
    dump="$work/packages-$1-$2.dump"
    {
        printf 'VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=%s\ndb_lorder=%s\nHEADER=END\n' "$1" "$2"
        next=$(sqlite3 "$here/rpmdb.sqlite" 'SELECT max(hnum) + 1 FROM Packages')
        printf ' %s\n %s\n' "$(u32 0 "$2")" "$(u32 "$next" "$2")"
        sqlite3 "$here/rpmdb.sqlite" 'SELECT hnum, lower(hex(blob)) FROM Packages ORDER BY hnum' |
        while IFS='|' read -r hnum blob; do
            printf ' %s\n %s\n' "$(u32 "$hnum" "$2")" "$blob"
        done
        printf 'DATA=END\n'
    } > "$dump"
    rm -rf "$work/bdb"
    mkdir "$work/bdb"
    db5.3_load -f "$dump" "$work/bdb/Packages"
    qa rpm bdb_ro "$work/bdb" > "$work/qa-bdb.txt"
    cmp "$here/rpm-qa-sqlite.txt" "$work/qa-bdb.txt"
    cp "$work/bdb/Packages" "$3"
}
make_bdb 512 1234 "$here/Packages"
cp "$work/qa-bdb.txt" "$here/rpm-qa-bdb.txt"
make_bdb 8192 4321 "$here/Packages-bigendian"

# The three databases must list the same packages.
cmp "$here/rpm-qa-sqlite.txt" "$here/rpm-qa-ndb.txt"
cmp "$here/rpm-qa-sqlite.txt" "$here/rpm-qa-bdb.txt"
ls -l "$here/rpmdb.sqlite" "$here/Packages.db" "$here/Packages" "$here/Packages-bigendian"
