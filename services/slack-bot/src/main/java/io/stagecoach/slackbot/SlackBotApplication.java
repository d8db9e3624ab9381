package io.stagecoach.slackbot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The chat bot of a manual gate, on Slack (ADR 42). */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SlackBotApplication {

    public static void main(String[] args) {
        SpringApplication.run(SlackBotApplication.class, args);
    }
}
