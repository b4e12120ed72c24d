package dev.envelope.samples;

import com.amazonaws.services.lambda.runtime.Context;
import dev.envelope.lambda.Document;
import dev.envelope.lambda.EncryptedDocumentHandler;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SecureCart's Lambda function: each decrypted order becomes an archived receipt, and the handler keeps the totals
 * per customer it has seen (in a real function those would go to a table; here SecureCart prints them).
 */
final class OrderTotalsHandler extends EncryptedDocumentHandler {
  private final Map<String, BigDecimal> totals = new ConcurrentHashMap<>();

  OrderTotalsHandler(Settings settings) {
    super(settings);
  }

  @Override
  protected byte[] process(Document document, Context context) {
    String json = new String(document.content(), StandardCharsets.UTF_8);
    String customer = Orders.customerOf(json);
    BigDecimal total = Orders.totalOf(json);
    totals.merge(customer, total, BigDecimal::add);
    return ("{\"receiptFor\":\"" + document.source().key() + "\",\"customer\":\"" + customer + "\",\"total\":\""
        + total + "\",\"status\":\"PROCESSED\"}").getBytes(StandardCharsets.UTF_8);
  }

  Map<String, BigDecimal> totals() {
    return new TreeMap<>(totals);
  }
}
