/*
 * medbus local stack: OTLP/HTTP trace ingest for Zipkin server.
 *
 * The upstream io.zipkin.contrib.otel:zipkin-module-otel is not published to Maven Central, so the
 * stack ships this small equivalent. It is compiled by tools/stack/stack.sh against the jars inside
 * the zipkin-server exec jar and loaded with -Dloader.path=<jar> -Dspring.profiles.active=otel.
 */
package medbus.zipkin.otlp;

import com.linecorp.armeria.spring.ArmeriaServerConfigurator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import zipkin2.collector.Collector;
import zipkin2.collector.CollectorMetrics;
import zipkin2.collector.CollectorSampler;
import zipkin2.storage.StorageComponent;

@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "zipkin.collector.otel.http.enabled", havingValue = "true", matchIfMissing = true)
public class OtlpCollectorModule {
  static final Logger LOG = LoggerFactory.getLogger(OtlpCollectorModule.class);

  @Bean
  ArmeriaServerConfigurator medbusOtlpHttpCollector(
      StorageComponent storage,
      CollectorSampler sampler,
      CollectorMetrics metrics,
      @Value("${zipkin.collector.otel.http.path:/v1/traces}") String path) {
    CollectorMetrics otlpMetrics = metrics.forTransport("otlp-http");
    Collector collector = Collector.newBuilder(OtlpCollectorModule.class)
        .storage(storage).sampler(sampler).metrics(otlpMetrics).build();
    OtlpHttpService service = new OtlpHttpService(collector, otlpMetrics);
    LOG.info("OTLP/HTTP trace collector listening on POST {}", path);
    return sb -> sb.service(path, service);
  }
}
