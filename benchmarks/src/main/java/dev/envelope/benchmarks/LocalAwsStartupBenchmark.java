package dev.envelope.benchmarks;

import dev.envelope.localaws.LocalAws;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-process start-up of local-aws in a fresh JVM (one per fork): from nothing to the first answered request of
 * every service on its one port (KMS ListKeys, DynamoDB ListTables, S3 CreateBucket, STS GetCallerIdentity), as a
 * test suite with the JUnit extension pays it.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(10)
public class LocalAwsStartupBenchmark {
  @Benchmark
  public int toFirstAnswerOfEveryService() throws IOException {
    try (LocalAws aws = LocalAws.builder().port(0).build();
        KeepAliveConnection c = new KeepAliveConnection(aws.port())) {
      int length = c.exchange(LocalAwsBenchmark.json("TrentService.ListKeys", "1.1", "{}")).length();
      length += c.exchange(LocalAwsBenchmark.json("DynamoDB_20120810.ListTables", "1.0", "{}")).length();
      length += c.exchange(LocalAwsBenchmark.raw("PUT", "/first-bucket", "", new byte[0])).length();
      length += c.exchange(LocalAwsBenchmark.form("Action=GetCallerIdentity&Version=2011-06-15")).length();
      return length;
    }
  }
}
