#!/bin/sh
# Rebuilds greeter.jar, shop-web.war and shop.ear in ../ from the files here and the Debian jars in ../
# (see ../README.md). Needs a JDK (javac, jar); tested with OpenJDK 17 from Debian 12.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(dirname "$here")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# greeter.jar: one class, identity only in MANIFEST.MF (the jar tool wraps Bundle-License at 72 bytes).
mkdir -p "$work/classes"
javac --release 8 -d "$work/classes" "$here/Greeter.java"
jar --create --file "$out/greeter.jar" --manifest "$here/greeter.mf" -C "$work/classes" .

# shop-web.war: its own pom.properties, two deflated jars in WEB-INF/lib.
mkdir -p "$work/war/WEB-INF/lib" "$work/war/META-INF/maven/org.example.shop/shop-web"
cp "$here/web.xml" "$work/war/WEB-INF/web.xml"
cp "$here/shop-web.pom.properties" "$work/war/META-INF/maven/org.example.shop/shop-web/pom.properties"
cp "$out/greeter.jar" "$out/slf4j-nop.jar" "$work/war/WEB-INF/lib/"
(cd "$work/war" && jar --create --file "$out/shop-web.war" META-INF/maven WEB-INF)

# shop.ear: stored (uncompressed) entries, the war and a library jar.
mkdir -p "$work/ear/META-INF" "$work/ear/lib"
cp "$here/application.xml" "$work/ear/META-INF/application.xml"
cp "$out/shop-web.war" "$work/ear/"
cp "$out/osgi.annotation-8.1.0.jar" "$work/ear/lib/"
(cd "$work/ear" && jar --create --no-compress --file "$out/shop.ear" META-INF/application.xml shop-web.war lib)
