package dev.envelope.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the CPU of one S3Benchmark operation goes, per thread group (the emulator's Jetty threads, the client's
 * threads, the relay): a diagnostic beside the JMH figures, which only give wall time. It explains why some
 * clients tie: when the emulator's thread needs more CPU per object than any client does, every client waits for
 * it. Not a benchmark; the throughput figures come from JMH.
 *
 * <pre>java -cp ... dev.envelope.benchmarks.S3CpuBreakdown put 268435456 https loopback 6 plain,framed,s3ec</pre>
 */
public final class S3CpuBreakdown {
  private S3CpuBreakdown() {}

  public static void main(String[] args) throws Exception {
    String op = args[0];
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int runs = Integer.parseInt(args[4]);
    for (String client : args[5].split(",")) {
      S3Benchmark bench = new S3Benchmark();
      bench.size = Integer.parseInt(args[1]);
      bench.transport = args[2];
      bench.link = args[3];
      bench.client = client;
      bench.setUp();
      try {
        for (int i = 0; i < 3; i++) {
          run(bench, op); // warm-up
        }
        Map<Long, String> names = new HashMap<>();
        Map<Long, Long> before = cpuByThread(threads, names);
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
          run(bench, op);
        }
        long wallMs = (System.nanoTime() - start) / runs / 1_000_000;
        Map<Long, Long> after = cpuByThread(threads, names);
        Map<String, Long> byGroup = new TreeMap<>();
        after.forEach((id, cpu) -> byGroup.merge(group(names.get(id)),
            (cpu - before.getOrDefault(id, 0L)) / runs / 1_000_000, Long::sum));
        byGroup.values().removeIf(ms -> ms < 5);
        System.out.printf("%s %s: %d ms wall per operation; CPU ms per operation %s%n", op, client, wallMs,
            byGroup);
      } finally {
        bench.tearDown();
      }
    }
    System.exit(0); // S3Proxy leaves non-daemon threads
  }

  private static void run(S3Benchmark bench, String op) throws Exception {
    if (op.equals("put")) {
      bench.put();
    } else {
      bench.get();
    }
  }

  private static String group(String thread) {
    return thread.replaceAll("-[0-9]+-[0-9]+$", "").replaceAll("-?[0-9]+$", "");
  }

  private static Map<Long, Long> cpuByThread(ThreadMXBean threads, Map<Long, String> names) {
    Map<Long, Long> cpu = new HashMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null) {
        names.put(info.getThreadId(), info.getThreadName());
        cpu.put(info.getThreadId(), threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return cpu;
  }
}
