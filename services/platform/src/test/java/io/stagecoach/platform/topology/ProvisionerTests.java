package io.stagecoach.platform.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.stagecoach.events.Principal;
import io.stagecoach.platform.ProvisionedBroker;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.topology.ProvisioningReport.Difference;
import io.stagecoach.testing.RealBroker;
import io.stagecoach.testing.TestBroker;
import org.junit.jupiter.api.Test;

@RealBroker
class ProvisionerTests {

    static TestBroker broker;

    @Test
    void provisioningTwiceChangesNothingTheSecondTimeAndReportsNoDifferences() {
        ProvisionedBroker target = ProvisionedBroker.planned(broker, "twice");
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();

        ProvisioningReport firstReport = target.provisioner(first::add).apply(target.environments());
        int bindings = bindingCount(target);
        ProvisioningReport secondReport = target.provisioner(second::add).apply(target.environments());

        assertThat(firstReport.isClean()).as(firstReport.describe()).isTrue();
        assertThat(secondReport.isClean()).as(secondReport.describe()).isTrue();
        assertThat(bindingCount(target)).as("no binding added twice").isEqualTo(bindings);
        assertThat(first).anySatisfy(line -> assertThat(line)
                .startsWith("dev (vhost " + target.vhost("dev") + "): 6 users").contains("18 queues (18 new)"));
        assertThat(first).anySatisfy(line -> assertThat(line).endsWith("shovel stagecoach-handoff-to-staging created"));
        assertThat(second).hasSize(first.size()).noneMatch(line -> line.contains("new") || line.endsWith("created"));
        assertThat(second).anySatisfy(line -> assertThat(line).endsWith("shovel stagecoach-handoff-to-prod unchanged"));
    }

    @Test
    void aQueueThatExistedWithOtherArgumentsIsReportedAndKeepsItsMessages() throws Exception {
        ProvisionedBroker target = ProvisionedBroker.planned(broker, "pre");
        String dev = target.vhost("dev");
        target.management().put(ManagementClient.path("api", "vhosts", dev), Map.of());
        target.management().put(ManagementClient.path("api", "permissions", dev, broker.adminUser()),
                Map.of("configure", ".*", "write", ".*", "read", ".*"));
        try (Connection connection = target.adminConnectionFactory("dev").newConnection();
             Channel channel = connection.createChannel()) {
            channel.queueDeclare("promotion.promotion-requested", true, false, false, Map.of());
            channel.basicPublish("", "promotion.promotion-requested", null, "waiting".getBytes(StandardCharsets.UTF_8));
        }

        ProvisioningReport report = target.provisioner(line -> { }).apply(target.environments());

        assertThat(report.differences()).singleElement().satisfies(difference -> {
            assertThat(difference.vhost()).isEqualTo(dev);
            assertThat(difference.object()).isEqualTo("queue promotion.promotion-requested");
            assertThat(difference.problem()).contains("arguments x-queue-type is absent (plan: \"quorum\")",
                    "arguments x-delivery-limit is absent (plan: 5)");
            assertThat(difference.fix()).contains("delete the queue", "provision again");
        });
        assertThat(report.describe()).startsWith("The broker differs from the plan in 1 place:");
        try (Connection connection = target.adminConnectionFactory("dev").newConnection();
             Channel channel = connection.createChannel()) {
            GetResponse kept = channel.basicGet("promotion.promotion-requested", true);
            assertThat(kept).as("the message in the old queue").isNotNull();
            assertThat(new String(kept.getBody(), StandardCharsets.UTF_8)).isEqualTo("waiting");
        }
    }

    @Test
    void checkingAnUnprovisionedBrokerReportsWhatIsMissingAndCreatesNothing() {
        ProvisionedBroker target = ProvisionedBroker.planned(broker, "check");

        ProvisioningReport report = target.provisioner(line -> { }).verify(target.environments());

        assertThat(report.differences()).extracting(Difference::vhost, Difference::object)
                .contains(org.assertj.core.groups.Tuple.tuple(target.vhost("dev"), "vhost"),
                        org.assertj.core.groups.Tuple.tuple(target.vhost("prod"), "vhost"),
                        org.assertj.core.groups.Tuple.tuple("", "user " + target.user("dev", Principal.CI)));
        assertThat(target.management().get(ManagementClient.path("api", "vhosts", target.vhost("dev")))).isEmpty();
    }

    @Test
    void aUserGivenAccessToAnotherEnvironmentIsReported() {
        ProvisionedBroker target = ProvisionedBroker.provisioned(broker, "leak");
        String devPromotion = target.user("dev", Principal.PROMOTION);
        target.management().put(ManagementClient.path("api", "permissions", target.vhost("prod"), devPromotion),
                Map.of("configure", "", "write", ".*", "read", ".*"));

        ProvisioningReport report = target.provisioner(line -> { }).verify(target.environments());

        assertThat(report.differences()).singleElement().satisfies(difference -> {
            assertThat(difference.vhost()).isEqualTo(target.vhost("prod"));
            assertThat(difference.object()).isEqualTo("permissions of " + devPromotion);
            assertThat(difference.fix()).isEqualTo("remove them: rabbitmqctl clear_permissions -p "
                    + target.vhost("prod") + " " + devPromotion);
        });
    }

    private static int bindingCount(ProvisionedBroker target) {
        int count = 0;
        for (Environment env : target.environments().all()) {
            count += target.management().list(ManagementClient.path("api", "bindings", env.vhost())).size();
        }
        return count;
    }
}
