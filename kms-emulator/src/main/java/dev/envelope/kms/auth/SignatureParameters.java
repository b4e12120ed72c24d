package dev.envelope.kms.auth;

import dev.envelope.kms.auth.SigV4Exception.Reason;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a request says about its own signature, read from the {@code Authorization} header or the presigned query
 * string: the credential scope (access key, date, Region, service), the signed headers, the signature, the signing
 * time and, presigned, the expiry. Missing or malformed parts are {@link Reason#INCOMPLETE_SIGNATURE}; none at all
 * is {@link Reason#MISSING_AUTHENTICATION}.
 */
final class SignatureParameters {
  String accessKeyId;
  String date;
  String region;
  String service;
  List<String> signedHeaders;
  String signature;
  String amzDate;
  boolean presigned;
  long expiresSeconds;

  private SignatureParameters() {}

  static SignatureParameters parse(SignedRequest request) {
    String authorization = request.header("Authorization");
    Map<String, String> query = CanonicalRequest.queryParameters(request.rawQuery());
    SignatureParameters p = new SignatureParameters();
    String credential;
    String signedHeaders;
    if (authorization != null && !authorization.isBlank()) {
      if (!authorization.startsWith(SigV4Verifier.ALGORITHM + " ")) {
        throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, "Authorization header requires the "
            + SigV4Verifier.ALGORITHM + " algorithm (Signature Version 4); got '" + firstWord(authorization) + "'.");
      }
      Map<String, String> parts = new LinkedHashMap<>();
      for (String part : authorization.substring(SigV4Verifier.ALGORITHM.length() + 1).split(",")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          parts.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
      }
      List<String> missing = new ArrayList<>();
      for (String name : List.of("Credential", "SignedHeaders", "Signature")) {
        if (parts.get(name) == null || parts.get(name).isEmpty()) {
          missing.add("Authorization header requires '" + name + "' parameter.");
        }
      }
      p.amzDate = request.header("X-Amz-Date");
      if (p.amzDate == null) {
        p.amzDate = fromHttpDate(request.header("Date"));
      }
      if (p.amzDate == null) {
        missing.add("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
      }
      if (!missing.isEmpty()) {
        throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, String.join(" ", missing) + " Authorization="
            + redactSignature(authorization));
      }
      credential = parts.get("Credential");
      signedHeaders = parts.get("SignedHeaders");
      p.signature = parts.get("Signature");
    } else if (query.containsKey("X-Amz-Algorithm")) {
      if (!SigV4Verifier.ALGORITHM.equals(query.get("X-Amz-Algorithm"))) {
        throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, "X-Amz-Algorithm only supports "
            + SigV4Verifier.ALGORITHM);
      }
      List<String> missing = new ArrayList<>();
      for (String name : List.of("X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date")) {
        if (query.get(name) == null || query.get(name).isEmpty()) {
          missing.add(name);
        }
      }
      if (!missing.isEmpty()) {
        throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, "AWS query-string parameters must include "
            + String.join(", ", missing) + ". Re-examine the query-string parameters.");
      }
      credential = query.get("X-Amz-Credential");
      signedHeaders = query.get("X-Amz-SignedHeaders");
      p.signature = query.get("X-Amz-Signature");
      p.amzDate = query.get("X-Amz-Date");
      p.presigned = true;
      try {
        p.expiresSeconds = Long.parseLong(query.getOrDefault("X-Amz-Expires", "604800"));
      } catch (NumberFormatException e) {
        throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, "X-Amz-Expires must be a number of seconds");
      }
      if (p.expiresSeconds < 1 || p.expiresSeconds > 604_800) {
        throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE,
            "X-Amz-Expires must be between 1 and 604800 seconds (seven days)");
      }
    } else {
      throw new SigV4Exception(Reason.MISSING_AUTHENTICATION, "Missing Authentication Token");
    }
    String[] scope = credential.split("/");
    if (scope.length != 5 || !"aws4_request".equals(scope[4]) || scope[0].isEmpty()) {
      throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, "Credential should be scoped to a valid Region, not '"
          + (scope.length > 2 ? scope[2] : "") + "'. Credential should be scoped with a valid terminator: "
          + "'aws4_request'. Credential=" + credential);
    }
    p.accessKeyId = scope[0];
    p.date = scope[1];
    p.region = scope[2];
    p.service = scope[3];
    p.signedHeaders = List.of(signedHeaders.split(";"));
    if (!p.signedHeaders.contains("host")) {
      throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, "'Host' must be a signed header (SignedHeaders="
          + signedHeaders + ").");
    }
    if (!p.amzDate.startsWith(p.date)) {
      throw new SigV4Exception(Reason.INCOMPLETE_SIGNATURE, "Date in Credential scope does not match YYYYMMDD from "
          + "ISO-8601 version of date from HTTP: '" + p.date + "' != '" + p.amzDate.substring(0,
          Math.min(8, p.amzDate.length())) + "'");
    }
    return p;
  }

  private static String fromHttpDate(String date) {
    if (date == null) {
      return null;
    }
    try {
      return SigV4Verifier.AMZ_DATE.format(ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String firstWord(String s) {
    int space = s.indexOf(' ');
    return space < 0 ? s : s.substring(0, space);
  }

  private static String redactSignature(String authorization) {
    return authorization.replaceAll("Signature=[0-9a-fA-F]+", "Signature=<redacted>");
  }
}
