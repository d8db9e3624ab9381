package io.stagecoach.slackbot;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class SlackBotConfiguration {

    @Bean(destroyMethod = "close")
    ChatopsBroker chatopsBroker(SlackBotProperties properties) throws IOException, TimeoutException {
        return new ChatopsBroker(properties);
    }

    @Bean
    SlackApi slackApi(SlackBotProperties properties) {
        return new SlackApi(properties.apiUrl(), properties.botToken());
    }

    @Bean(destroyMethod = "shutdown")
    ExecutorService slackResponses() {
        return Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "slack-responses");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts showing the gate's feed in the channel once the bot is up. */
    @Bean
    ApprovalFeed approvalFeed(SlackApi slack, SlackBotProperties properties, ChatopsBroker broker) throws IOException {
        ApprovalFeed feed = new ApprovalFeed(slack, properties.channel(), broker.approvalUser());
        broker.consume(feed);
        return feed;
    }
}
