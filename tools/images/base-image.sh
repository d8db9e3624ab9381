#!/usr/bin/env bash
# Builds a Java base image without a registry or a Docker daemon: a runtime made with jlink from a local JDK, the
# C libraries it links, a non-root user (10001) and nothing else, written as a `docker save` archive that Jib takes
# as `tar://…`. For machines that cannot pull eclipse-temurin; where a registry is reachable, the default base is
# better (it gets security updates). The libraries are this machine's, so build it on the architecture you run.
#
#   tools/images/base-image.sh [OUTPUT.tar] [JAVA_HOME]
#   ./mvnw -Pimages -DskipTests package -Dstagecoach.image.base=tar://$PWD/tools/images/target/base-image.tar
set -euo pipefail

out="${1:-$(dirname "$0")/target/base-image.tar}"
jdk="${2:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}}"
# what Spring Boot, Spring AMQP, Jackson, JGit and the fabric8 client use (jdeps over the services' classpath)
modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http
modules+=,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml
modules+=,jdk.crypto.ec,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs

if [[ ! -x "$jdk/bin/jlink" ]]; then
  echo "base-image.sh: no jlink in $jdk/bin: give a JDK (not a JRE) as the second argument or JAVA_HOME" >&2
  exit 2
fi
if [[ -s "$out" && "$out" -nt "$0" ]]; then
  echo "base-image.sh: $out is up to date"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
# mount points a runtime fills (proc, sys, dev) and the files it binds over (hosts, hostname, resolv.conf)
mkdir -p "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/home/stagecoach" "$(dirname "$out")"
touch "$root/etc/hosts" "$root/etc/hostname" "$root/etc/resolv.conf"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --output "$root/opt/java"

# the C libraries the runtime links (AWT's X11 libraries aside: the services run headless and never load them)
libraries() {
  for binary in "$root/opt/java/bin/java" "$root"/opt/java/lib/*.so "$root"/opt/java/lib/server/*.so; do
    case "$binary" in *awt_xawt*|*libsplashscreen*|*libjsound*|*libfontmanager*|*liblcms*) continue ;; esac
    ldd "$binary" 2>/dev/null | awk '/=> \// { print $3 } /^\s*\/.*ld-linux/ { print $1 }'
  done | sort -u
}
while read -r library; do
  mkdir -p "$root$(dirname "$library")"
  cp -L "$library" "$root$library"
done < <(libraries)
mkdir -p "$root/lib64" && for loader in /lib64/ld-linux-*.so.*; do cp -L "$loader" "$root/lib64/"; done

echo 'root:x:0:0:root:/root:/sbin/nologin' > "$root/etc/passwd"
echo 'stagecoach:x:10001:10001:stagecoach:/home/stagecoach:/sbin/nologin' >> "$root/etc/passwd"
printf 'root:x:0:\nstagecoach:x:10001:\n' > "$root/etc/group"
chmod 1777 "$root/tmp"

# one layer, its files owned by root and dated at the epoch, so the same inputs give the same digest
layer="$work/layer.tar"
tar --sort=name --mtime='1970-01-01 00:00:00Z' --owner=0 --group=0 --numeric-owner -C "$root" -cf "$layer" .
diff_id="sha256:$(sha256sum "$layer" | cut -d' ' -f1)"
arch="$(uname -m)"; case "$arch" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac
version="$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.runtime.version/ { print $2 }')"
cat > "$work/config.json" <<JSON
{"architecture":"$arch","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"User":"10001:10001","WorkingDir":"/home/stagecoach",
  "Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java","JAVA_VERSION=$version"],
  "Labels":{"org.opencontainers.image.description":"Java runtime (jlink) for Stagecoach's services"}},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"tools/images/base-image.sh"}]}
JSON
config="$(sha256sum "$work/config.json" | cut -d' ' -f1).json"
mkdir -p "$work/archive/layer"
mv "$work/config.json" "$work/archive/$config"
mv "$layer" "$work/archive/layer/layer.tar"
printf '[{"Config":"%s","RepoTags":["stagecoach/java-base:%s"],"Layers":["layer/layer.tar"]}]\n' "$config" \
  "${version%%+*}" > "$work/archive/manifest.json"
tar --sort=name --mtime='1970-01-01 00:00:00Z' --owner=0 --group=0 --numeric-owner -C "$work/archive" \
  -cf "$out.partial" manifest.json "$config" layer
mv "$out.partial" "$out"
echo "base-image.sh: $out ($(du -h "$out" | cut -f1), Java $version, $arch, user 10001)"
