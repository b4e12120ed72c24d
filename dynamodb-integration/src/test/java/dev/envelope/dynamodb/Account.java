package dev.envelope.dynamodb;

import dev.envelope.dynamodb.enhanced.DoNothing;
import dev.envelope.dynamodb.enhanced.SignOnly;
import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSortKey;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.enhancedclient.DynamoDbEncryptionDoNothing;
import software.amazon.cryptography.dbencryptionsdk.dynamodb.enhancedclient.DynamoDbEncryptionSignOnly;

/**
 * A bean carrying both libraries' action annotations, so that the same table schema means the same actions to our
 * extension and to the AWS Database Encryption SDK's Enhanced Client integration.
 */
@DynamoDbBean
public class Account {
  private String owner;
  private int number;
  private String iban;
  private BigDecimal balance;
  private List<String> holders;
  private Set<String> flags;
  private String branch;
  private String note;

  public static Account of(String owner, int number, String iban, String balance, String branch, String note) {
    Account a = new Account();
    a.owner = owner;
    a.number = number;
    a.iban = iban;
    a.balance = new BigDecimal(balance);
    a.holders = List.of(owner, "Zoë Ünïcode");
    a.flags = Set.of("vip", "eu");
    a.branch = branch;
    a.note = note;
    return a;
  }

  @DynamoDbPartitionKey
  public String getOwner() {
    return owner;
  }

  public void setOwner(String owner) {
    this.owner = owner;
  }

  @DynamoDbSortKey
  public int getNumber() {
    return number;
  }

  public void setNumber(int number) {
    this.number = number;
  }

  public String getIban() {
    return iban;
  }

  public void setIban(String iban) {
    this.iban = iban;
  }

  public BigDecimal getBalance() {
    return balance;
  }

  public void setBalance(BigDecimal balance) {
    this.balance = balance;
  }

  public List<String> getHolders() {
    return holders;
  }

  public void setHolders(List<String> holders) {
    this.holders = holders;
  }

  public Set<String> getFlags() {
    return flags;
  }

  public void setFlags(Set<String> flags) {
    this.flags = flags;
  }

  @SignOnly
  @DynamoDbEncryptionSignOnly
  public String getBranch() {
    return branch;
  }

  public void setBranch(String branch) {
    this.branch = branch;
  }

  @DoNothing
  @DynamoDbEncryptionDoNothing
  public String getNote() {
    return note;
  }

  public void setNote(String note) {
    this.note = note;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Account a && number == a.number && Objects.equals(owner, a.owner)
        && Objects.equals(iban, a.iban) && (balance == null ? a.balance == null : a.balance != null
        && balance.compareTo(a.balance) == 0) && Objects.equals(holders, a.holders)
        && Objects.equals(flags, a.flags) && Objects.equals(branch, a.branch) && Objects.equals(note, a.note);
  }

  @Override
  public int hashCode() {
    return Objects.hash(owner, number);
  }

  @Override
  public String toString() {
    return "Account[" + owner + "/" + number + "]"; // no balance or IBAN in test logs
  }
}
