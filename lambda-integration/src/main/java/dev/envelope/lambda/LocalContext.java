package dev.envelope.lambda;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Lambda {@link Context} for running handlers outside Lambda (tests, local tools; aws-lambda-java-tests has
 * none). It keeps the function's log lines instead of printing them. Thread-safe.
 */
public final class LocalContext implements Context {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final String functionName;
  private final String requestId = java.util.UUID.randomUUID().toString();

  public LocalContext(String functionName) {
    this.functionName = functionName;
  }

  /** What the function logged, one entry per call, trailing whitespace stripped. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public String getAwsRequestId() {
    return requestId; // one per context, as Lambda gives one per invocation
  }

  @Override
  public String getLogGroupName() {
    return "/aws/lambda/" + functionName;
  }

  @Override
  public String getLogStreamName() {
    return "local";
  }

  @Override
  public String getFunctionName() {
    return functionName;
  }

  @Override
  public String getFunctionVersion() {
    return "$LATEST";
  }

  @Override
  public String getInvokedFunctionArn() {
    return "arn:aws:lambda:us-east-1:000000000000:function:" + functionName;
  }

  @Override
  public CognitoIdentity getIdentity() {
    return null;
  }

  @Override
  public ClientContext getClientContext() {
    return null;
  }

  @Override
  public int getRemainingTimeInMillis() {
    return 60_000;
  }

  @Override
  public int getMemoryLimitInMB() {
    return 512;
  }

  @Override
  public LambdaLogger getLogger() {
    return new LambdaLogger() {
      @Override
      public void log(String message) {
        lines.add(message.strip());
      }

      @Override
      public void log(byte[] message) {
        log(new String(message, StandardCharsets.UTF_8));
      }
    };
  }
}
