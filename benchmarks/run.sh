#!/usr/bin/env bash
# Builds the benchmarks and runs JMH. Arguments go to JMH, e.g. ./benchmarks/run.sh MessageBenchmark -p size=1024
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl benchmarks -am -DskipTests package
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" org.openjdk.jmh.Main "$@"
