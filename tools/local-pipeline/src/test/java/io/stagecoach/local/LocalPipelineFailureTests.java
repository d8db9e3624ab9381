package io.stagecoach.local;

import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;

import com.rabbitmq.client.AuthenticationFailureException;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@RealBroker
class LocalPipelineFailureTests {

    @Test
    void aBrokerThatWasNotProvisionedStopsTheStartWithWhatToCheck(TestBroker broker, @TempDir Path workdir) {
        LocalPipelineSettings settings = LocalPipelineSettings.builder(workdir)
                .amqp(broker.host(), broker.amqpPort())
                .vhostPrefix(broker.prefix())
                .webServers(false)
                .logFile(Path.of("target", "local-pipeline-tests.log"))
                .build();

        long before = System.nanoTime();
        assertThatThrownBy(() -> LocalPipeline.start(settings, line -> { }))
                .isInstanceOf(LocalPipelineException.class)
                .hasMessageContaining("did not start")
                .hasMessageContaining("is the broker provisioned for these environments with vhost prefix "
                        + broker.prefix());
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void namesTheInnermostCauseAndWhatToCheck() {
        LocalPipelineSettings settings = LocalPipelineSettings.builder(Path.of("w")).amqp("rabbit", 5673).build();

        assertThat(LocalPipeline.explain(new IllegalStateException("bean failed", new ConnectException(
                "Connection refused")), settings)).isEqualTo("Connection refused (is RabbitMQ running on rabbit:5673?)");
        assertThat(LocalPipeline.explain(new IllegalStateException("bean failed",
                new AuthenticationFailureException("ACCESS_REFUSED - Login was refused")), settings))
                .startsWith("ACCESS_REFUSED - Login was refused (is the broker provisioned for these environments,");
        assertThat(LocalPipeline.explain(new IllegalStateException("outer", new IllegalArgumentException()),
                settings)).isEqualTo("IllegalArgumentException");
    }
}
