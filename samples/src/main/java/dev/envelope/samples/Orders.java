package dev.envelope.samples;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** SecureCart's order documents: generated from a fixed seed, so every run sees the same orders and totals. */
final class Orders {
  private static final Pattern CUSTOMER = Pattern.compile("\"customer\":\"([^\"]+)\"");
  private static final Pattern TOTAL = Pattern.compile("\"total\":\"([0-9.]+)\"");

  private Orders() {}

  /** One order: id, customer, the card number (the secret), the lines and the total. */
  record Order(int id, String customer, String card, String json, BigDecimal total) {}

  static List<Order> generate(int count) {
    Random random = new Random(20261122);
    List<Order> orders = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      String customer = String.format("customer-%02d", 1 + random.nextInt(8));
      String card = String.format("4111-%04d-%04d-%04d", random.nextInt(10_000), random.nextInt(10_000),
          random.nextInt(10_000));
      StringBuilder lines = new StringBuilder();
      BigDecimal total = BigDecimal.ZERO;
      int n = 1 + random.nextInt(4);
      for (int l = 0; l < n; l++) {
        BigDecimal price = BigDecimal.valueOf(199 + random.nextInt(20_000), 2);
        int quantity = 1 + random.nextInt(3);
        total = total.add(price.multiply(BigDecimal.valueOf(quantity)));
        lines.append(l == 0 ? "" : ",").append("{\"sku\":\"SKU-").append(100 + random.nextInt(900))
            .append("\",\"qty\":").append(quantity).append(",\"price\":\"").append(price).append("\"}");
      }
      total = total.setScale(2, RoundingMode.UNNECESSARY);
      String json = "{\"orderId\":" + i + ",\"customer\":\"" + customer + "\",\"card\":\"" + card
          + "\",\"lines\":[" + lines + "],\"total\":\"" + total + "\",\"currency\":\"EUR\"}";
      orders.add(new Order(i, customer, card, json, total));
    }
    return orders;
  }

  static String customerOf(String json) {
    Matcher m = CUSTOMER.matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("order document has no customer");
    }
    return m.group(1);
  }

  static BigDecimal totalOf(String json) {
    Matcher m = TOTAL.matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("order document has no total");
    }
    return new BigDecimal(m.group(1));
  }
}
