package dev.envelope.core.internal.format;

/** Body layout: framed (written by every current encryptor) or non-framed (legacy, decrypt only). */
public enum ContentType {
  NON_FRAMED(0x01),
  FRAMED(0x02);

  private final int code;

  ContentType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static ContentType fromCode(int code) {
    for (ContentType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }
}
