package dev.envelope.kms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.envelope.kms.Principal;
import java.util.ArrayList;
import java.util.List;

/** One API call in progress: who, where, the request, and what its CloudTrail record will say. */
public final class Call {
  final String operation;
  final JsonNode request;
  final Principal principal;
  final String region;
  final String accessKeyId;
  final String sourceIp;
  final String userAgent;
  final String viaService;
  final ObjectNode requestParameters = Json.object();
  final List<String> resourceArns = new ArrayList<>();

  public Call(String operation, JsonNode request, Principal principal, String region, String accessKeyId,
      String sourceIp, String userAgent, String viaService) {
    this.operation = operation;
    this.request = request;
    this.principal = principal;
    this.region = region;
    this.accessKeyId = accessKeyId;
    this.sourceIp = sourceIp;
    this.userAgent = userAgent;
    this.viaService = viaService;
  }
}
