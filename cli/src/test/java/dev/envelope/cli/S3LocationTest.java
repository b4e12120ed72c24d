package dev.envelope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code s3://} arguments with a bucket named every way S3 accepts, the AWS CLI's reading of each. */
class S3LocationTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "s3://orders|orders|''",
      "s3://orders/|orders|''",
      "s3://orders/2026/über a+b%20c|orders|2026/über a+b%20c",
      "s3://orders//double|orders|/double",
      "s3://orders-ext-s3alias/o-1.json|orders-ext-s3alias|o-1.json",
      "s3://arn:aws:s3:us-east-1:111122223333:accesspoint/orders"
          + "|arn:aws:s3:us-east-1:111122223333:accesspoint/orders|''",
      "s3://arn:aws:s3:us-east-1:111122223333:accesspoint/orders/"
          + "|arn:aws:s3:us-east-1:111122223333:accesspoint/orders|''",
      "s3://arn:aws:s3:us-east-1:111122223333:accesspoint/orders/2026/o-1.json"
          + "|arn:aws:s3:us-east-1:111122223333:accesspoint/orders|2026/o-1.json",
      "s3://arn:aws-cn:s3:cn-north-1:111122223333:accesspoint:orders/a"
          + "|arn:aws-cn:s3:cn-north-1:111122223333:accesspoint:orders|a",
      "s3://arn:aws:s3::111122223333:accesspoint/mfzwi23gnjvgw.mrap/k"
          + "|arn:aws:s3::111122223333:accesspoint/mfzwi23gnjvgw.mrap|k",
      "s3://arn:aws:s3-outposts:us-west-2:111122223333:outpost/op-01ac5d28a6a232904/accesspoint/ap-1/k/l"
          + "|arn:aws:s3-outposts:us-west-2:111122223333:outpost/op-01ac5d28a6a232904/accesspoint/ap-1|k/l",
      "s3://arn:aws:s3-outposts:us-west-2:111122223333:outpost/op-01ac5d28a6a232904/bucket/b-1"
          + "|arn:aws:s3-outposts:us-west-2:111122223333:outpost/op-01ac5d28a6a232904/bucket/b-1|''",
      "s3://arn:aws:s3-object-lambda:us-east-1:111122223333:accesspoint/redact/k"
          + "|arn:aws:s3-object-lambda:us-east-1:111122223333:accesspoint/redact|k"})
  void aBucketIsTheWholeBucketNameOrArnAndThePathIsTheRest(String text, String bucket, String path) {
    S3Location location = S3Location.parse(text);
    assertEquals(bucket, location.bucket());
    assertEquals(path, location.path());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "s3://|expected s3://bucket[/prefix], not 's3://'",
      "s3:///key|no bucket in 's3:///key'",
      "s3://arn:aws:s3:us-east-1:111122223333:bucket/orders/k|names no access point",
      "s3://arn:aws:s3:us-east-1:1111:accesspoint/orders|names no access point",
      "s3://arn:aws:s3:us-east-1:111122223333:accesspoint/|names no access point"})
  void malformedLocationsAreUsageErrorsThatSayWhy(String text, String message) {
    UsageException e = assertThrows(UsageException.class, () -> S3Location.parse(text));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  /**
   * Through {@code main} with an endpoint: a bucket goes by path, an access point ARN by the host the SDK derives
   * from it, signed for the ARN's Region. The endpoint is reached through an HTTP proxy that records what it is
   * asked, so no name needs to resolve.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "s3://orders/2026/o-1.json|s3.example.test|/orders/2026/o-1.json|us-east-1",
      "s3://arn:aws:s3:us-west-2:111122223333:accesspoint/orders/2026/o-1.json"
          + "|orders-111122223333.s3.example.test|/2026/o-1.json|us-west-2"})
  void anAccessPointArnIsAddressedByItsHostAndRegion(String target, String host, String path, String region)
      throws IOException {
    Cli.aws(); // the credentials every CLI test signs with
    List<String> asked = new CopyOnWriteArrayList<>();
    HttpServer proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    proxy.createContext("/", exchange -> {
      asked.add(exchange.getRequestHeaders().getFirst("Host") + " " + exchange.getRequestURI().getRawPath() + " "
          + exchange.getRequestHeaders().getFirst("Authorization"));
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
    });
    proxy.start();
    Map<String, String> before = new HashMap<>();
    for (String name : List.of("http.proxyHost", "http.proxyPort", "http.nonProxyHosts")) {
      before.put(name, System.getProperty(name));
    }
    try {
      System.setProperty("http.proxyHost", "127.0.0.1");
      System.setProperty("http.proxyPort", String.valueOf(proxy.getAddress().getPort()));
      System.setProperty("http.nonProxyHosts", "");
      Cli.Result result = Cli.run("inspect", target, "--endpoint-url", "http://s3.example.test");
      assertEquals(ExitCode.FAILED, result.code(), result.toString());
    } finally {
      before.forEach((name, value) -> {
        if (value == null) {
          System.clearProperty(name);
        } else {
          System.setProperty(name, value);
        }
      });
      proxy.stop(0);
    }
    assertFalse(asked.isEmpty());
    for (String request : asked) {
      assertTrue(request.startsWith(host + " " + path + " "), request);
      assertTrue(request.contains("/" + region + "/s3/aws4_request"), request);
    }
  }
}
