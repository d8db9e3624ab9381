package io.stagecoach.buildcompleted;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The build-completed service: builds enter the pipeline here. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class BuildCompletedApplication {

    public static void main(String[] args) {
        SpringApplication.run(BuildCompletedApplication.class, args);
    }
}
