#!/usr/bin/env bash
# Which Kafka 4.x runs on which Java: each version from Maven Central (into a scratch dir), formatted and
# started as a one-node KRaft cluster (broker and controller in one process, loopback only) on every java
# given, then asked for its quorum. Prints, per version and java: the highest class-file version in its lib
# dir, whether it served, seconds from exec to "Kafka Server started", and the broker's RSS. Figures for
# docs/adr/008; no assertion.
#
#   it/bench/kafka4-java.sh [JAVA_HOME...]      (default: the java on PATH; e.g. also a JDK 21 or 25)
#   VERSIONS="4.0.2 4.4.0" it/bench/kafka4-java.sh
set -euo pipefail
versions=${VERSIONS:-"4.0.2 4.1.2 4.2.2 4.3.1 4.4.0"}
javas=("$@")
[ ${#javas[@]} -eq 0 ] && javas=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
work=$(mktemp -d /tmp/kafka4-java.XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
port=$((20000 + RANDOM % 20000))

cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>bench</groupId><artifactId>kafka4-java</artifactId><version>1</version><packaging>pom</packaging>
<dependencies>
<dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>\${kv}</version></dependency>
<dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.25.5</version></dependency>
</dependencies></project>
POM
cat > "$work/MaxVersion.java" <<'JAVA'
import java.io.DataInputStream;
import java.nio.file.*;
import java.util.zip.ZipFile;
public class MaxVersion {
    public static void main(String[] a) throws Exception {
        int max = 0;
        try (var files = Files.list(Path.of(a[0]))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                try (ZipFile z = new ZipFile(p.toFile())) {
                    for (var e = z.entries(); e.hasMoreElements(); ) {
                        var en = e.nextElement();
                        if (!en.getName().endsWith(".class") || en.getName().startsWith("META-INF/versions")) continue;
                        try (DataInputStream in = new DataInputStream(z.getInputStream(en))) {
                            in.readInt(); in.readUnsignedShort();
                            max = Math.max(max, in.readUnsignedShort());
                        }
                    }
                }
            }
        }
        System.out.println((max - 44) + " (class file " + max + ")");
    }
}
JAVA
printf 'status = warn\nappender.o.type = Console\nappender.o.name = O\nappender.o.layout.type = PatternLayout\nappender.o.layout.pattern = %%m%%n\nrootLogger.level = info\nrootLogger.appenderRef.o.ref = O\n' > "$work/log4j2.properties"

printf '%-7s %-28s %-12s %-7s %-9s %s\n' kafka java bytecode served ready_s rss_mib
for v in $versions; do
  lib=$work/lib-$v
  mvn -B -q -Dstyle.color=never -f "$work/pom.xml" dependency:copy-dependencies -Dkv="$v" -DoutputDirectory="$lib" -DincludeScope=runtime >/dev/null
  bytecode=$(java "$work/MaxVersion.java" "$lib" | cut -d' ' -f1)
  for jh in "${javas[@]}"; do
    j=$jh/bin/java
    jv=$("$j" -version 2>&1 | head -1 | sed 's/.*version "\([^"]*\)".*/\1/')
    d=$work/run-$v-$(basename "$jh")
    mkdir -p "$d"
    cat > "$d/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$((port + 1))
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1))
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1))
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$d/logs
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
PROPS
    cp=("-cp" "$lib/*" "-Dlog4j2.configurationFile=$work/log4j2.properties")
    if ! "$j" -Xmx256m "${cp[@]}" kafka.tools.StorageTool format -t 7fWQ2xg9Ry6mN0s1a2b3cA -c "$d/server.properties" --standalone >"$d/format.log" 2>&1; then
      printf '%-7s %-28s %-12s %-7s %-9s %s\n' "$v" "$jv" "$bytecode" "no" "-" "format failed: $(grep -m1 -i -E 'error|exception' "$d/format.log" | cut -c1-60)"
      continue
    fi
    start=$(date +%s.%N)
    "$j" -Xmx256m -Xms256m "${cp[@]}" kafka.Kafka "$d/server.properties" >"$d/server.log" 2>&1 &
    pid=$!
    served=no
    for _ in $(seq 1 600); do
      if grep -q "Kafka Server started" "$d/server.log"; then served=yes; break; fi
      kill -0 $pid 2>/dev/null || break
      sleep 0.1
    done
    ready=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { print a - b }')
    rss=$(($(ps -o rss= -p $pid 2>/dev/null || echo 0) / 1024))
    kill $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    pid=
    if [ $served = yes ]; then
      printf '%-7s %-28s %-12s %-7s %-9.1f %s\n' "$v" "$jv" "$bytecode" yes "$ready" "$rss"
    else
      printf '%-7s %-28s %-12s %-7s %-9s %s\n' "$v" "$jv" "$bytecode" no - "$(grep -m1 -i -E 'error|exception' "$d/server.log" | cut -c1-60)"
    fi
  done
done
