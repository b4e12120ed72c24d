package dev.envelope.benchmarks;

import dev.envelope.kms.KmsEmulator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * In-process start-up, as a test suite sees it: in a fresh JVM (one per fork), the time from nothing to a first
 * answered call: build the emulator, build its in-process {@link KmsClient}, create a key and encrypt under it.
 * Class loading and the AWS SDK client's first-use cost are included, because a test pays them.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(10)
public class KmsStartupBenchmark {
  @Benchmark
  public Object emulatorToFirstCall() {
    try (KmsEmulator emulator = KmsEmulator.create()) {
      KmsClient kms = emulator.client();
      String key = kms.createKey(b -> { }).keyMetadata().arn();
      return kms.encrypt(b -> b.keyId(key).plaintext(software.amazon.awssdk.core.SdkBytes.fromUtf8String("x")));
    }
  }

  @Benchmark
  public Object emulatorOnly() {
    try (KmsEmulator emulator = KmsEmulator.create()) {
      return emulator.defaultAccount();
    }
  }
}
