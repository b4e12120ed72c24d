#!/usr/bin/env bash
# Builds the benchmarks and runs one of its plain main classes (not JMH), e.g. ./benchmarks/run-main.sh LambdaColdStart 7
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl benchmarks -am -DskipTests package
main="$1"; shift
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" "dev.envelope.benchmarks.$main" "$@"
