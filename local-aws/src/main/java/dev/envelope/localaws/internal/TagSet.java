package dev.envelope.localaws.internal;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * An object's tags as S3 takes and gives them: the {@code x-amz-tagging} header's query string, the
 * {@code Tagging} XML document of PutObjectTagging and GetObjectTagging, and S3's rules (at most 10 tags, keys of
 * 1 to 128 characters and values of up to 256 from letters, digits, spaces and {@code + - = . _ : / @}, no key
 * twice, none starting with {@code aws:}). Immutable.
 */
public final class TagSet {
  public static final int MAX_TAGS = 10;
  private static final Pattern ALLOWED = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
  private static final String NS = "http://s3.amazonaws.com/doc/2006-03-01/";

  /** No tags. */
  public static final TagSet EMPTY = new TagSet(Map.of());

  private final Map<String, String> tags;

  private TagSet(Map<String, String> tags) {
    this.tags = Collections.unmodifiableMap(tags);
  }

  /** A tag set that broke one of S3's rules: its error code and message, as S3 answers them. */
  public static final class InvalidTags extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    InvalidTags(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  public static TagSet of(Map<String, String> tags) throws InvalidTags {
    return checked(new LinkedHashMap<>(tags));
  }

  public Map<String, String> tags() {
    return tags;
  }

  public boolean isEmpty() {
    return tags.isEmpty();
  }

  /** From an {@code x-amz-tagging} header: {@code k1=v1&k2=v2}, URL-encoded. */
  public static TagSet fromHeader(String header) throws InvalidTags {
    Map<String, String> tags = new LinkedHashMap<>();
    for (String pair : header.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key;
      String value;
      try {
        key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new InvalidTags("InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then "
            + "URLEncoded URL query parameters without tag name duplicates.");
      }
      if (tags.put(key, value) != null) {
        throw new InvalidTags("InvalidTag", "Cannot provide multiple Tags with the same key");
      }
    }
    return checked(tags);
  }

  /** From a PutObjectTagging body. DTDs and external entities are refused, not resolved. */
  public static TagSet fromXml(byte[] xml) throws InvalidTags {
    Element root;
    try {
      root = SmallXmlBody.parse(xml);
    } catch (IOException e) {
      throw malformed();
    }
    if (!root.getTagName().equals("Tagging")) {
      throw malformed();
    }
    Map<String, String> tags = new LinkedHashMap<>();
    NodeList list = root.getElementsByTagName("Tag");
    for (int i = 0; i < list.getLength(); i++) {
      Element tag = (Element) list.item(i);
      String key = SmallXmlBody.text(tag, "Key");
      String value = SmallXmlBody.text(tag, "Value");
      if (key == null) {
        throw malformed();
      }
      if (tags.put(key, value == null ? "" : value) != null) {
        throw new InvalidTags("InvalidTag", "Cannot provide multiple Tags with the same key");
      }
    }
    return checked(tags);
  }

  /** The GetObjectTagging answer. */
  public String toXml() {
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Tagging xmlns=\"" + NS
        + "\"><TagSet>");
    tags.forEach((k, v) -> xml.append("<Tag><Key>").append(escape(k)).append("</Key><Value>").append(escape(v))
        .append("</Value></Tag>"));
    return xml.append("</TagSet></Tagging>").toString();
  }

  private static TagSet checked(Map<String, String> tags) throws InvalidTags {
    if (tags.size() > MAX_TAGS) {
      throw new InvalidTags("BadRequest", "Object tags cannot be greater than " + MAX_TAGS);
    }
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      String key = tag.getKey();
      int keyLength = key.codePointCount(0, key.length());
      if (keyLength < 1 || keyLength > 128 || !ALLOWED.matcher(key).matches() || key.startsWith("aws:")) {
        throw new InvalidTags("InvalidTag", "The TagKey you have provided is invalid");
      }
      String value = tag.getValue();
      if (value.codePointCount(0, value.length()) > 256 || !ALLOWED.matcher(value).matches()) {
        throw new InvalidTags("InvalidTag", "The TagValue you have provided is invalid");
      }
    }
    return new TagSet(tags);
  }

  private static InvalidTags malformed() {
    return new InvalidTags("MalformedXML", SmallXmlBody.MALFORMED);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
