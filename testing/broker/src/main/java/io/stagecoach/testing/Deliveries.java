package io.stagecoach.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;

/**
 * Takes messages from a queue by consuming them. An inbox is a quorum queue with a single active consumer, and
 * RabbitMQ refuses {@code basic.get} on those ({@code 405 RESOURCE_LOCKED}); consuming works on every queue. Each
 * call uses a channel of its own and closes it, so a delivery it did not take goes back to the queue.
 */
public final class Deliveries {

    private Deliveries() {
    }

    /** The next message of {@code queue}, acknowledged, or null when none arrives {@code within}. */
    public static GetResponse takeOne(Connection connection, String queue, Duration within)
            throws IOException, InterruptedException {
        List<GetResponse> taken = take(connection, queue, 1, within, within);
        return taken.isEmpty() ? null : taken.get(0);
    }

    /** Every message {@code queue} delivers until {@code quiet} passes without one, acknowledged. */
    public static List<GetResponse> takeAll(Connection connection, String queue, Duration quiet)
            throws IOException, InterruptedException {
        return take(connection, queue, Integer.MAX_VALUE, quiet, quiet);
    }

    private static List<GetResponse> take(Connection connection, String queue, int most, Duration first,
                                          Duration quiet) throws IOException, InterruptedException {
        Channel channel = connection.createChannel();
        try {
            BlockingQueue<GetResponse> arrivals = new LinkedBlockingQueue<>();
            channel.basicQos(most == 1 ? 1 : 100);
            String tag = channel.basicConsume(queue, false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) {
                    arrivals.add(new GetResponse(envelope, properties, body, 0));
                }
            });
            List<GetResponse> taken = new ArrayList<>();
            GetResponse next = arrivals.poll(first.toMillis(), TimeUnit.MILLISECONDS);
            while (next != null) {
                // acknowledged as taken, so that the prefetch window lets the rest of the queue through
                channel.basicAck(next.getEnvelope().getDeliveryTag(), false);
                taken.add(next);
                if (taken.size() >= most) {
                    break;
                }
                next = arrivals.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
            }
            // what arrived after the last one taken stays unacknowledged and returns when the channel closes
            channel.basicCancel(tag);
            return taken;
        } finally {
            if (channel.isOpen()) {
                try {
                    channel.close();
                } catch (TimeoutException | IOException ignored) {
                    // the broker closes it anyway
                }
            }
        }
    }
}
