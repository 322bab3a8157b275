package medbus.zipkin.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import zipkin2.Endpoint;
import zipkin2.Span;

/**
 * Translates an OTLP ExportTraceServiceRequest (opentelemetry-proto trace/v1) to Zipkin v2 spans,
 * following the OpenTelemetry "Zipkin exporter" mapping: resource service.name becomes the local
 * endpoint, attributes become tags, events become annotations, status becomes otel.status_code /
 * error tags, and the instrumentation scope becomes otel.scope.* tags.
 *
 * The protobuf decoder is hand-written (only the handful of messages above are needed), so the
 * module has no dependency beyond what zipkin-server already ships.
 */
final class OtlpTranslator {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private OtlpTranslator() {}

  /** Neutral model shared by the protobuf and JSON decoders. */
  static final class OtelSpan {
    String traceId, spanId, parentSpanId, name;
    int kind;
    long startNanos, endNanos;
    final Map<String, String> attributes = new LinkedHashMap<>();
    final List<OtelEvent> events = new ArrayList<>();
    int statusCode;
    String statusMessage;
    int links;
  }

  static final class OtelEvent {
    long timeNanos;
    String name = "";
    final Map<String, String> attributes = new LinkedHashMap<>();
  }

  // ---------------------------------------------------------------- mapping

  static Span toZipkin(Map<String, String> resource, String scopeName, String scopeVersion,
      OtelSpan s) {
    if (s.traceId == null || s.spanId == null) {
      throw new IllegalArgumentException("span without traceId/spanId");
    }
    Span.Builder b = Span.newBuilder().traceId(s.traceId).id(s.spanId);
    if (s.parentSpanId != null && !s.parentSpanId.isEmpty() && !isZero(s.parentSpanId)) {
      b.parentId(s.parentSpanId);
    }
    b.name(s.name);
    switch (s.kind) {
      case 2: b.kind(Span.Kind.SERVER); break;
      case 3: b.kind(Span.Kind.CLIENT); break;
      case 4: b.kind(Span.Kind.PRODUCER); break;
      case 5: b.kind(Span.Kind.CONSUMER); break;
      default: break; // INTERNAL / UNSPECIFIED: no kind in Zipkin
    }
    if (s.startNanos > 0) {
      long start = s.startNanos / 1000L;
      b.timestamp(start);
      if (s.endNanos >= s.startNanos) {
        b.duration(Math.max(1L, s.endNanos / 1000L - start));
      }
    }
    String service = resource.get("service.name");
    if (service == null || service.isEmpty()) service = "unknown_service";
    b.localEndpoint(Endpoint.newBuilder().serviceName(service).build());
    Endpoint remote = remoteEndpoint(s);
    if (remote != null) b.remoteEndpoint(remote);

    for (Map.Entry<String, String> e : resource.entrySet()) {
      if (!e.getKey().equals("service.name")) b.putTag(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, String> e : s.attributes.entrySet()) b.putTag(e.getKey(), e.getValue());
    if (scopeName != null && !scopeName.isEmpty()) b.putTag("otel.scope.name", scopeName);
    if (scopeVersion != null && !scopeVersion.isEmpty()) b.putTag("otel.scope.version", scopeVersion);
    if (s.statusCode == 1) {
      b.putTag("otel.status_code", "OK");
    } else if (s.statusCode == 2) {
      b.putTag("otel.status_code", "ERROR");
      b.putTag("error", s.statusMessage == null || s.statusMessage.isEmpty() ? "ERROR" : s.statusMessage);
    }
    if (s.links > 0) b.putTag("otel.links", Integer.toString(s.links));
    for (OtelEvent ev : s.events) {
      String value = ev.attributes.isEmpty() ? ev.name : ev.name + ": " + jsonObject(ev.attributes);
      b.addAnnotation(ev.timeNanos / 1000L, value);
    }
    return b.build();
  }

  private static Endpoint remoteEndpoint(OtelSpan s) {
    Map<String, String> a = s.attributes;
    String svc = a.get("peer.service");
    String ip = first(a, "network.peer.address", "server.socket.address", "net.peer.ip",
        "net.sock.peer.addr");
    String port = first(a, "network.peer.port", "server.port", "net.peer.port", "net.sock.peer.port");
    if (svc == null && ip == null) return null;
    Endpoint.Builder e = Endpoint.newBuilder();
    if (svc != null) e.serviceName(svc);
    if (ip != null) e.parseIp(ip);
    if (port != null) {
      try { e.port(Integer.parseInt(port)); } catch (NumberFormatException ignored) { }
    }
    Endpoint built = e.build();
    return built.serviceName() == null && built.ipv4() == null && built.ipv6() == null ? null : built;
  }

  private static String first(Map<String, String> m, String... keys) {
    for (String k : keys) {
      String v = m.get(k);
      if (v != null && !v.isEmpty()) return v;
    }
    return null;
  }

  private static boolean isZero(String hex) {
    for (int i = 0; i < hex.length(); i++) if (hex.charAt(i) != '0') return false;
    return true;
  }

  static String jsonObject(Map<String, String> m) {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, String> e : m.entrySet()) {
      if (sb.length() > 1) sb.append(',');
      quote(sb, e.getKey()).append(':');
      quote(sb, e.getValue());
    }
    return sb.append('}').toString();
  }

  private static StringBuilder quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') sb.append('\\').append(c);
      else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    return sb.append('"');
  }

  static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }

  // ---------------------------------------------------------------- protobuf

  /** Minimal protobuf wire-format reader over a byte range. */
  static final class Pb {
    final byte[] buf;
    int pos;
    final int limit;
    int wireType;

    Pb(byte[] buf, int pos, int limit) {
      this.buf = buf;
      this.pos = pos;
      this.limit = limit;
    }

    boolean hasMore() {
      return pos < limit;
    }

    /** Returns the field number of the next tag and remembers its wire type. */
    int next() {
      long tag = varint();
      wireType = (int) (tag & 7);
      return (int) (tag >>> 3);
    }

    long varint() {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= limit) throw new IllegalArgumentException("truncated varint");
        byte b = buf[pos++];
        result |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) return result;
      }
      throw new IllegalArgumentException("malformed varint");
    }

    long fixed64() {
      if (pos + 8 > limit) throw new IllegalArgumentException("truncated fixed64");
      long r = 0;
      for (int i = 7; i >= 0; i--) r = (r << 8) | (buf[pos + i] & 0xffL);
      pos += 8;
      return r;
    }

    int fixed32() {
      if (pos + 4 > limit) throw new IllegalArgumentException("truncated fixed32");
      int r = 0;
      for (int i = 3; i >= 0; i--) r = (r << 8) | (buf[pos + i] & 0xff);
      pos += 4;
      return r;
    }

    /** Length-delimited field as a sub-reader. */
    Pb message() {
      int len = (int) varint();
      if (len < 0 || pos + len > limit) throw new IllegalArgumentException("truncated message");
      Pb sub = new Pb(buf, pos, pos + len);
      pos += len;
      return sub;
    }

    byte[] bytes() {
      Pb m = message();
      byte[] out = new byte[m.limit - m.pos];
      System.arraycopy(buf, m.pos, out, 0, out.length);
      return out;
    }

    String string() {
      Pb m = message();
      return new String(buf, m.pos, m.limit - m.pos, StandardCharsets.UTF_8);
    }

    /** Integer value of a varint (or, defensively, fixed) field. */
    long number() {
      switch (wireType) {
        case 0: return varint();
        case 1: return fixed64();
        case 5: return fixed32() & 0xffffffffL;
        default: skip(); return 0;
      }
    }

    void skip() {
      switch (wireType) {
        case 0: varint(); break;
        case 1: pos += 8; break;
        case 2: message(); break;
        case 5: pos += 4; break;
        default: throw new IllegalArgumentException("unsupported wire type " + wireType);
      }
      if (pos > limit) throw new IllegalArgumentException("truncated field");
    }
  }

  static List<Span> fromProtobuf(byte[] body) {
    List<Span> out = new ArrayList<>();
    Pb req = new Pb(body, 0, body.length);
    while (req.hasMore()) {
      if (req.next() == 1 && req.wireType == 2) readResourceSpans(req.message(), out);
      else req.skip();
    }
    return out;
  }

  private static void readResourceSpans(Pb rs, List<Span> out) {
    Map<String, String> resource = new LinkedHashMap<>();
    List<Pb> scopeSpans = new ArrayList<>();
    while (rs.hasMore()) {
      int f = rs.next();
      if (f == 1 && rs.wireType == 2) {
        Pb r = rs.message();
        while (r.hasMore()) {
          if (r.next() == 1 && r.wireType == 2) readKeyValue(r.message(), resource);
          else r.skip();
        }
      } else if (f == 2 && rs.wireType == 2) {
        scopeSpans.add(rs.message());
      } else {
        rs.skip();
      }
    }
    for (Pb ss : scopeSpans) {
      String scopeName = null, scopeVersion = null;
      List<Pb> spans = new ArrayList<>();
      while (ss.hasMore()) {
        int f = ss.next();
        if (f == 1 && ss.wireType == 2) {
          Pb scope = ss.message();
          while (scope.hasMore()) {
            int sf = scope.next();
            if (sf == 1 && scope.wireType == 2) scopeName = scope.string();
            else if (sf == 2 && scope.wireType == 2) scopeVersion = scope.string();
            else scope.skip();
          }
        } else if (f == 2 && ss.wireType == 2) {
          spans.add(ss.message());
        } else {
          ss.skip();
        }
      }
      for (Pb sp : spans) out.add(toZipkin(resource, scopeName, scopeVersion, readSpan(sp)));
    }
  }

  private static OtelSpan readSpan(Pb p) {
    OtelSpan s = new OtelSpan();
    while (p.hasMore()) {
      int f = p.next();
      switch (f) {
        case 1: s.traceId = hex(p.bytes()); break;
        case 2: s.spanId = hex(p.bytes()); break;
        case 4: s.parentSpanId = hex(p.bytes()); break;
        case 5: s.name = p.string(); break;
        case 6: s.kind = (int) p.number(); break;
        case 7: s.startNanos = p.number(); break;
        case 8: s.endNanos = p.number(); break;
        case 9: readKeyValue(p.message(), s.attributes); break;
        case 11: {
          OtelEvent ev = new OtelEvent();
          Pb e = p.message();
          while (e.hasMore()) {
            int ef = e.next();
            if (ef == 1) ev.timeNanos = e.number();
            else if (ef == 2 && e.wireType == 2) ev.name = e.string();
            else if (ef == 3 && e.wireType == 2) readKeyValue(e.message(), ev.attributes);
            else e.skip();
          }
          s.events.add(ev);
          break;
        }
        case 13: p.skip(); s.links++; break;
        case 15: {
          Pb st = p.message();
          while (st.hasMore()) {
            int sf = st.next();
            if (sf == 2 && st.wireType == 2) s.statusMessage = st.string();
            else if (sf == 3) s.statusCode = (int) st.number();
            else st.skip();
          }
          break;
        }
        default: p.skip();
      }
    }
    return s;
  }

  private static void readKeyValue(Pb kv, Map<String, String> into) {
    String key = null, value = "";
    while (kv.hasMore()) {
      int f = kv.next();
      if (f == 1 && kv.wireType == 2) key = kv.string();
      else if (f == 2 && kv.wireType == 2) value = anyValue(kv.message());
      else kv.skip();
    }
    if (key != null) into.put(key, value);
  }

  private static String anyValue(Pb v) {
    String result = "";
    while (v.hasMore()) {
      int f = v.next();
      switch (f) {
        case 1: result = v.string(); break;
        case 2: result = Boolean.toString(v.varint() != 0); break;
        case 3: result = Long.toString(v.varint()); break;
        case 4: result = Double.toString(Double.longBitsToDouble(v.fixed64())); break;
        case 5: { // ArrayValue { repeated AnyValue values = 1; }
          Pb arr = v.message();
          StringBuilder sb = new StringBuilder();
          while (arr.hasMore()) {
            if (arr.next() == 1 && arr.wireType == 2) {
              if (sb.length() > 0) sb.append(',');
              sb.append(anyValue(arr.message()));
            } else {
              arr.skip();
            }
          }
          result = sb.toString();
          break;
        }
        case 6: { // KeyValueList { repeated KeyValue values = 1; }
          Pb list = v.message();
          Map<String, String> m = new LinkedHashMap<>();
          while (list.hasMore()) {
            if (list.next() == 1 && list.wireType == 2) readKeyValue(list.message(), m);
            else list.skip();
          }
          result = jsonObject(m);
          break;
        }
        case 7: result = Base64.getEncoder().encodeToString(v.bytes()); break;
        default: v.skip();
      }
    }
    return result;
  }

  // ---------------------------------------------------------------- OTLP/JSON

  static List<Span> fromJson(byte[] body) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    List<Span> out = new ArrayList<>();
    if (root == null || !root.isObject()) throw new IllegalArgumentException("expected a JSON object");
    for (JsonNode rs : array(root, "resourceSpans", "resource_spans")) {
      Map<String, String> resource = new LinkedHashMap<>();
      JsonNode res = field(rs, "resource");
      if (res != null) jsonAttributes(array(res, "attributes"), resource);
      for (JsonNode ss : array(rs, "scopeSpans", "scope_spans", "instrumentationLibrarySpans")) {
        JsonNode scope = field(ss, "scope", "instrumentationLibrary");
        String scopeName = scope == null ? null : text(field(scope, "name"));
        String scopeVersion = scope == null ? null : text(field(scope, "version"));
        for (JsonNode sp : array(ss, "spans")) {
          out.add(toZipkin(resource, scopeName, scopeVersion, jsonSpan(sp)));
        }
      }
    }
    return out;
  }

  private static OtelSpan jsonSpan(JsonNode n) {
    OtelSpan s = new OtelSpan();
    s.traceId = idText(field(n, "traceId", "trace_id"));
    s.spanId = idText(field(n, "spanId", "span_id"));
    s.parentSpanId = idText(field(n, "parentSpanId", "parent_span_id"));
    s.name = text(field(n, "name"));
    s.kind = enumValue(field(n, "kind"), "SPAN_KIND_",
        new String[] {"UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"});
    s.startNanos = longValue(field(n, "startTimeUnixNano", "start_time_unix_nano"));
    s.endNanos = longValue(field(n, "endTimeUnixNano", "end_time_unix_nano"));
    jsonAttributes(array(n, "attributes"), s.attributes);
    for (JsonNode e : array(n, "events")) {
      OtelEvent ev = new OtelEvent();
      ev.timeNanos = longValue(field(e, "timeUnixNano", "time_unix_nano"));
      String name = text(field(e, "name"));
      ev.name = name == null ? "" : name;
      jsonAttributes(array(e, "attributes"), ev.attributes);
      s.events.add(ev);
    }
    s.links = array(n, "links").size();
    JsonNode status = field(n, "status");
    if (status != null) {
      s.statusCode = enumValue(field(status, "code"), "STATUS_CODE_",
          new String[] {"UNSET", "OK", "ERROR"});
      s.statusMessage = text(field(status, "message"));
    }
    return s;
  }

  private static void jsonAttributes(List<JsonNode> attrs, Map<String, String> into) {
    for (JsonNode kv : attrs) {
      String key = text(field(kv, "key"));
      if (key != null) into.put(key, jsonAnyValue(field(kv, "value")));
    }
  }

  private static String jsonAnyValue(JsonNode v) {
    if (v == null || v.isNull()) return "";
    JsonNode x;
    if ((x = field(v, "stringValue", "string_value")) != null) return x.asText();
    if ((x = field(v, "boolValue", "bool_value")) != null) return Boolean.toString(x.asBoolean());
    if ((x = field(v, "intValue", "int_value")) != null) return Long.toString(longValue(x));
    if ((x = field(v, "doubleValue", "double_value")) != null) return Double.toString(x.asDouble());
    if ((x = field(v, "bytesValue", "bytes_value")) != null) return x.asText();
    if ((x = field(v, "arrayValue", "array_value")) != null) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode item : array(x, "values")) {
        if (sb.length() > 0) sb.append(',');
        sb.append(jsonAnyValue(item));
      }
      return sb.toString();
    }
    if ((x = field(v, "kvlistValue", "kvlist_value")) != null) {
      Map<String, String> m = new LinkedHashMap<>();
      jsonAttributes(array(x, "values"), m);
      return jsonObject(m);
    }
    return v.isValueNode() ? v.asText() : "";
  }

  private static JsonNode field(JsonNode n, String... names) {
    if (n == null) return null;
    for (String name : names) {
      JsonNode v = n.get(name);
      if (v != null && !v.isNull()) return v;
    }
    return null;
  }

  private static List<JsonNode> array(JsonNode n, String... names) {
    JsonNode a = field(n, names);
    List<JsonNode> out = new ArrayList<>();
    if (a != null && a.isArray()) {
      for (Iterator<JsonNode> it = a.elements(); it.hasNext(); ) out.add(it.next());
    }
    return out;
  }

  private static String text(JsonNode n) {
    return n == null ? null : n.asText();
  }

  /** OTLP/JSON ids are hex; tolerate proto3-JSON base64 too (24 chars for 16 bytes, 12 for 8). */
  private static String idText(JsonNode n) {
    if (n == null) return null;
    String s = n.asText().trim();
    if (s.isEmpty()) return null;
    if (s.matches("[0-9a-fA-F]+") && (s.length() == 32 || s.length() == 16)) {
      return s.toLowerCase(Locale.ROOT);
    }
    try {
      return hex(Base64.getDecoder().decode(s));
    } catch (IllegalArgumentException e) {
      return s.toLowerCase(Locale.ROOT); // let zipkin2 validation report it
    }
  }

  private static long longValue(JsonNode n) {
    if (n == null) return 0L;
    if (n.isNumber()) return n.asLong();
    String s = n.asText().trim();
    return s.isEmpty() ? 0L : Long.parseLong(s);
  }

  private static int enumValue(JsonNode n, String prefix, String[] names) {
    if (n == null) return 0;
    if (n.isNumber()) return n.asInt();
    String s = n.asText().trim().toUpperCase(Locale.ROOT);
    if (s.startsWith(prefix)) s = s.substring(prefix.length());
    for (int i = 0; i < names.length; i++) if (names[i].equals(s)) return i;
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
