package dev.envelope.localaws;

import java.util.Objects;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;

/** A bean for the Enhanced Client: the partition key is signed, the card number encrypted. */
@DynamoDbBean
public class Invoice {
  private String id;
  private String card;

  public Invoice() {}

  Invoice(String id, String card) {
    this.id = id;
    this.card = card;
  }

  @DynamoDbPartitionKey
  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getCard() {
    return card;
  }

  public void setCard(String card) {
    this.card = card;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Invoice i && Objects.equals(id, i.id) && Objects.equals(card, i.card);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, card);
  }
}
