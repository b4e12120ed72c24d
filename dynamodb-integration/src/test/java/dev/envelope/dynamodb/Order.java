package dev.envelope.dynamodb;

import dev.envelope.dynamodb.enhanced.DoNothing;
import dev.envelope.dynamodb.enhanced.SignOnly;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSortKey;

/** A bean table for the Enhanced Client tests: unannotated attributes are encrypted. */
@DynamoDbBean
public class Order {
  private String customerId;
  private long orderId;
  private String card;
  private BigDecimal total;
  private List<String> lines;
  private Map<String, String> address;
  private Set<String> tags;
  private boolean gift;
  private String status;
  private Long expiresAt;

  @DynamoDbPartitionKey
  public String getCustomerId() {
    return customerId;
  }

  public void setCustomerId(String customerId) {
    this.customerId = customerId;
  }

  @DynamoDbSortKey
  public long getOrderId() {
    return orderId;
  }

  public void setOrderId(long orderId) {
    this.orderId = orderId;
  }

  public String getCard() {
    return card;
  }

  public void setCard(String card) {
    this.card = card;
  }

  public BigDecimal getTotal() {
    return total;
  }

  public void setTotal(BigDecimal total) {
    this.total = total;
  }

  public List<String> getLines() {
    return lines;
  }

  public void setLines(List<String> lines) {
    this.lines = lines;
  }

  public Map<String, String> getAddress() {
    return address;
  }

  public void setAddress(Map<String, String> address) {
    this.address = address;
  }

  public Set<String> getTags() {
    return tags;
  }

  public void setTags(Set<String> tags) {
    this.tags = tags;
  }

  public boolean isGift() {
    return gift;
  }

  public void setGift(boolean gift) {
    this.gift = gift;
  }

  @SignOnly
  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  @DoNothing
  public Long getExpiresAt() {
    return expiresAt;
  }

  public void setExpiresAt(Long expiresAt) {
    this.expiresAt = expiresAt;
  }

  static Order sample(String customer, long id) {
    Order o = new Order();
    o.setCustomerId(customer);
    o.setOrderId(id);
    o.setCard(TestItems.SECRET);
    o.setTotal(new BigDecimal("99.95"));
    o.setLines(List.of("sku-1", "sku-2"));
    o.setAddress(Map.of("zip", "02134"));
    o.setTags(Set.of("vip"));
    o.setGift(true);
    o.setStatus("PAID");
    o.setExpiresAt(1_900_000_000L);
    return o;
  }

  @Override
  public boolean equals(Object x) {
    return x instanceof Order o && o.customerId.equals(customerId) && o.orderId == orderId
        && java.util.Objects.equals(o.card, card) && java.util.Objects.equals(o.total, total)
        && java.util.Objects.equals(o.lines, lines) && java.util.Objects.equals(o.address, address)
        && java.util.Objects.equals(o.tags, tags) && o.gift == gift && java.util.Objects.equals(o.status, status)
        && java.util.Objects.equals(o.expiresAt, expiresAt);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(customerId, orderId);
  }

  @Override
  public String toString() {
    return "Order[" + customerId + "/" + orderId + "]";
  }
}
