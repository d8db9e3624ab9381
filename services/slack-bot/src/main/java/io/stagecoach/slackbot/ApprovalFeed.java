package io.stagecoach.slackbot;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.stagecoach.events.ApprovalExpired;
import io.stagecoach.events.ApprovalGranted;
import io.stagecoach.events.ApprovalOpened;
import io.stagecoach.events.ApprovalRefused;
import io.stagecoach.events.ApprovalRejected;
import io.stagecoach.events.CloudEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows the gate's feed in the channel: each request that opens as a message with Approve and Reject, each outcome
 * in place of that message (or as a new one, for a request posted before the bot started), each refused decision
 * as a reply under it. Only events the environment's approval service published count.
 */
class ApprovalFeed implements ChatopsBroker.Handler {

    private static final Logger log = LoggerFactory.getLogger(ApprovalFeed.class);

    /** A request's message in the channel. */
    record Posted(String channel, String ts, String headline) {
    }

    private final SlackApi slack;
    private final String channel;
    private final String approvalUser;
    private final Map<String, Posted> posted = new ConcurrentHashMap<>();

    ApprovalFeed(SlackApi slack, String channel, String approvalUser) {
        this.slack = slack;
        this.channel = channel;
        this.approvalUser = approvalUser;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void handle(String userId, CloudEvent<?> event) {
        if (!approvalUser.equals(userId)) {
            log.warn("Ignored {} {} on the feed: published by {}, not {}", event.type(), event.id(), userId,
                    approvalUser);
            return;
        }
        try {
            if (event.data() instanceof ApprovalOpened opened) {
                if (!posted.containsKey(opened.requestId())) {
                    String ts = slack.postMessage(channel, ApprovalMessages.waiting((CloudEvent<ApprovalOpened>) event));
                    posted.put(opened.requestId(), new Posted(channel, ts, ApprovalMessages.headline(opened)));
                    log.info("Posted request {} ({}) to {}", opened.requestId(), ApprovalMessages.headline(opened),
                            channel);
                }
            } else if (event.data() instanceof ApprovalRefused refused) {
                Posted message = refused.requestId() == null ? null : posted.get(refused.requestId());
                var reply = ApprovalMessages.ended(ApprovalMessages.outcome(event), event);
                if (message != null) {
                    reply.put("thread_ts", message.ts());
                }
                slack.postMessage(channel, reply);
            } else if (event.data() instanceof ApprovalGranted || event.data() instanceof ApprovalRejected
                    || event.data() instanceof ApprovalExpired) {
                String requestId = requestId(event);
                Posted message = posted.remove(requestId);
                if (message == null) {
                    slack.postMessage(channel, ApprovalMessages.ended(ApprovalMessages.outcome(event), event));
                } else {
                    slack.update(message.channel(), message.ts(), ApprovalMessages.ended(message.headline(), event));
                }
                log.info("Showed the end of request {}: {}", requestId, event.type());
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String requestId(CloudEvent<?> event) {
        if (event.data() instanceof ApprovalGranted granted) {
            return granted.requestId();
        }
        if (event.data() instanceof ApprovalRejected rejected) {
            return rejected.requestId();
        }
        return ((ApprovalExpired) event.data()).requestId();
    }
}
