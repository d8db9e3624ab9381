package io.stagecoach.smoketest;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The smoke-test service: checks each release right after it was deployed. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SmokeTestApplication {

    public static void main(String[] args) {
        SpringApplication.run(SmokeTestApplication.class, args);
    }
}
