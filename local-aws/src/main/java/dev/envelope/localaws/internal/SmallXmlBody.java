package dev.envelope.localaws.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The small XML bodies the front door reads itself (a tag set, a part list, a list of keys to delete): read whole
 * up to a limit, and parsed with DTDs refused and entities never resolved, so no request can make the endpoint read
 * a file or expand itself. Stateless.
 */
final class SmallXmlBody {
  static final String MALFORMED = "The XML you provided was not well-formed or did not validate against our "
      + "published schema";

  private SmallXmlBody() {}

  /**
   * The whole body, or null after answering the request: with the body's own refusal (a chunk signature that did
   * not verify), or {@code 400 MalformedXML} when it is longer than {@code limit}.
   */
  static byte[] read(InputStream body, int limit, String resource, Reply reply) throws IOException {
    byte[] xml;
    try {
      xml = body.readNBytes(limit + 1);
    } catch (RejectedBody rejected) {
      reply.send(rejected.answer());
      return null;
    }
    if (xml.length > limit) {
      reply.send(ErrorShapes.s3(400, "MalformedXML", MALFORMED, resource));
      return null;
    }
    return xml;
  }

  /** The document element of {@code xml}. */
  static Element parse(byte[] xml) throws IOException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setExpandEntityReferences(false);
      factory.setNamespaceAware(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler()); // fatal errors throw, nothing printed
      return builder.parse(new ByteArrayInputStream(xml)).getDocumentElement();
    } catch (ParserConfigurationException | SAXException e) {
      throw new IOException(MALFORMED, e);
    }
  }

  /** The text of each {@code child} element of each {@code element} under {@code root}, in order. */
  static List<String> texts(Element root, String element, String child) {
    List<String> out = new ArrayList<>();
    NodeList list = root.getElementsByTagName(element);
    for (int i = 0; i < list.getLength(); i++) {
      out.add(text((Element) list.item(i), child));
    }
    return out;
  }

  /** The text of {@code parent}'s first {@code name} element, or null. */
  static String text(Element parent, String name) {
    NodeList list = parent.getElementsByTagName(name);
    return list.getLength() == 0 ? null : list.item(0).getTextContent();
  }
}
