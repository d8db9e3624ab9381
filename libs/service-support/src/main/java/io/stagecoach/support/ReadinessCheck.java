package io.stagecoach.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A container health check for images without a shell or curl: {@code java -cp @/app/jib-classpath-file
 * io.stagecoach.support.ReadinessCheck [URL]} exits 0 when the service's readiness endpoint answers 200, 1 when it
 * answers anything else or nothing within 2 s. Kubernetes asks the endpoint itself; Docker Compose runs this.
 */
public final class ReadinessCheck {

    static final String DEFAULT_URL = "http://127.0.0.1:8080/actuator/health/readiness";

    private ReadinessCheck() {
    }

    public static void main(String[] args) {
        System.exit(check(args.length > 0 ? args[0] : DEFAULT_URL) ? 0 : 1);
    }

    static boolean check(String url) {
        try {
            HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                System.err.println(url + " answered " + response.statusCode());
            }
            return response.statusCode() == 200;
        } catch (Exception e) {
            System.err.println(url + ": " + e);
            return false;
        }
    }
}
