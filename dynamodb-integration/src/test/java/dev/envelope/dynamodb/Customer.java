package dev.envelope.dynamodb;

import dev.envelope.dynamodb.enhanced.EncryptAndSign;
import dev.envelope.dynamodb.enhanced.SignOnly;
import java.util.Objects;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSecondaryPartitionKey;

/** A bean whose encrypted email is searched through its beacon's index ({@code aws_dbe_b_email}). */
@DynamoDbBean
public class Customer {
  private String id;
  private String email;
  private String region;

  public static Customer of(String id, String email, String region) {
    Customer c = new Customer();
    c.id = id;
    c.email = email;
    c.region = region;
    return c;
  }

  @DynamoDbPartitionKey
  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  @EncryptAndSign
  @DynamoDbSecondaryPartitionKey(indexNames = "email-index")
  public String getEmail() {
    return email;
  }

  public void setEmail(String email) {
    this.email = email;
  }

  @SignOnly
  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Customer c && Objects.equals(id, c.id) && Objects.equals(email, c.email)
        && Objects.equals(region, c.region);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id);
  }

  @Override
  public String toString() {
    return "Customer[" + id + "]";
  }
}
