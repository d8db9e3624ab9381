package io.stagecoach.local;

import java.util.Map;

import io.stagecoach.approval.ApprovalApplication;
import io.stagecoach.buildcompleted.BuildCompletedApplication;
import io.stagecoach.promotion.PromotionApplication;
import io.stagecoach.rollback.RollbackApplication;
import io.stagecoach.smoketest.SmokeTestApplication;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceDefaultsTests {

    private static final Map<String, Class<?>> APPLICATIONS = Map.of(
            "build-completed", BuildCompletedApplication.class,
            "promotion", PromotionApplication.class,
            "smoke-test", SmokeTestApplication.class,
            "rollback", RollbackApplication.class,
            "approval", ApprovalApplication.class);

    @ParameterizedTest
    @ValueSource(strings = {"build-completed", "promotion", "smoke-test", "rollback", "approval"})
    void readsEachServicesOwnApplicationYamlThoughAllShareOneClasspath(String service) {
        Map<String, Object> defaults = ServiceDefaults.of(APPLICATIONS.get(service));

        assertThat(defaults).containsEntry("stagecoach.service", service);
    }

    @ParameterizedTest
    @CsvSource({
            "file:/x/promotion/target/classes/application.yaml, file:/x/promotion/target/classes/, true",
            "file:/x/approval/target/classes/application.yaml,  file:/x/promotion/target/classes/, false",
            "jar:file:/m2/promotion.jar!/application.yaml,      file:/m2/promotion.jar,            true",
            "jar:file:/m2/approval.jar!/application.yaml,       file:/m2/promotion.jar,            false",
            "jar:nested:/a.jar/!BOOT-INF/lib/p.jar!/application.yaml, nested:/a.jar/!BOOT-INF/lib/p.jar, true",
            "jar:nested:/a.jar/!BOOT-INF/lib/p.jar!/application.yaml, jar:nested:/a.jar/!BOOT-INF/lib/p.jar!/, true",
            "jar:nested:/a.jar/!BOOT-INF/lib/q.jar!/application.yaml, nested:/a.jar/!BOOT-INF/lib/p.jar, false"})
    void tellsWhetherAResourceLivesWhereAClassWasLoadedFrom(String resource, String home, boolean inside) {
        assertThat(ServiceDefaults.isInside(resource, home)).isEqualTo(inside);
    }
}
