package medbus.zipkin.otlp;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import zipkin2.Callback;
import zipkin2.Span;
import zipkin2.collector.Collector;
import zipkin2.collector.CollectorMetrics;

/**
 * POST /v1/traces: OTLP/HTTP ExportTraceServiceRequest, either binary protobuf
 * (application/x-protobuf, application/protobuf) or OTLP/JSON (application/json), optionally
 * gzip/deflate Content-Encoding. Replies 200 with an empty ExportTraceServiceResponse in the
 * request's encoding.
 */
final class OtlpHttpService implements HttpService {
  private static final MediaType PROTOBUF = MediaType.parse("application/x-protobuf");

  private final Collector collector;
  private final CollectorMetrics metrics;

  OtlpHttpService(Collector collector, CollectorMetrics metrics) {
    this.collector = collector;
    this.metrics = metrics;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    if (req.method() == HttpMethod.OPTIONS) {
      return HttpResponse.of(HttpStatus.NO_CONTENT);
    }
    if (req.method() != HttpMethod.POST) {
      return HttpResponse.of(HttpStatus.METHOD_NOT_ALLOWED, MediaType.PLAIN_TEXT_UTF_8,
          "OTLP/HTTP traces: use POST\n");
    }
    CompletableFuture<HttpResponse> result = new CompletableFuture<>();
    req.aggregate().handle((agg, error) -> {
      if (error != null) {
        result.complete(badRequest(false, "could not read request: " + error));
        return null;
      }
      handle(ctx, agg, result);
      return null;
    });
    return HttpResponse.of(result);
  }

  private void handle(ServiceRequestContext ctx, AggregatedHttpRequest agg,
      CompletableFuture<HttpResponse> result) {
    MediaType contentType = agg.contentType();
    String type = contentType == null ? "" : contentType.subtype().toLowerCase(Locale.ROOT);
    final boolean json;
    if (type.equals("json")) {
      json = true;
    } else if (type.equals("x-protobuf") || type.equals("protobuf") || type.equals("octet-stream")) {
      json = false;
    } else {
      result.complete(HttpResponse.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, MediaType.PLAIN_TEXT_UTF_8,
          "OTLP/HTTP traces: Content-Type must be application/x-protobuf or application/json, got "
              + contentType + "\n"));
      return;
    }
    byte[] body;
    try {
      body = decompress(agg.content().array(), agg.headers().get("content-encoding"));
    } catch (IOException | RuntimeException e) {
      metrics.incrementMessagesDropped();
      result.complete(badRequest(json, "cannot decompress body: " + e.getMessage()));
      return;
    }
    metrics.incrementMessages();
    metrics.incrementBytes(body.length);
    List<Span> spans;
    try {
      spans = json ? OtlpTranslator.fromJson(body) : OtlpTranslator.fromProtobuf(body);
    } catch (RuntimeException e) {
      metrics.incrementMessagesDropped();
      OtlpCollectorModule.LOG.debug("rejected OTLP payload", e);
      result.complete(badRequest(json, "malformed OTLP " + (json ? "JSON" : "protobuf") + ": " + e));
      return;
    }
    if (spans.isEmpty()) {
      result.complete(ok(json));
      return;
    }
    collector.accept(spans, new Callback<Void>() {
      @Override public void onSuccess(Void value) {
        result.complete(ok(json));
      }

      @Override public void onError(Throwable t) {
        result.complete(HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT_UTF_8,
            "cannot store spans: " + t + "\n"));
      }
    }, ctx.blockingTaskExecutor());
  }

  private static HttpResponse ok(boolean json) {
    // An empty ExportTraceServiceResponse: zero bytes in protobuf, {} in JSON.
    return json
        ? HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, "{}")
        : HttpResponse.of(HttpStatus.OK, PROTOBUF, new byte[0]);
  }

  private static HttpResponse badRequest(boolean json, String message) {
    return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8, message + "\n");
  }

  static byte[] decompress(byte[] body, String encoding) throws IOException {
    if (encoding == null || encoding.isEmpty() || encoding.equalsIgnoreCase("identity")) {
      return body;
    }
    InputStream in;
    switch (encoding.trim().toLowerCase(Locale.ROOT)) {
      case "gzip":
      case "x-gzip":
        in = new GZIPInputStream(new ByteArrayInputStream(body));
        break;
      case "deflate":
        in = new InflaterInputStream(new ByteArrayInputStream(body));
        break;
      default:
        throw new IOException("unsupported Content-Encoding " + encoding);
    }
    try (InputStream stream = in) {
      return stream.readAllBytes();
    }
  }
}
