package io.stagecoach.support.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A service as the five Stagecoach services are built: the library's auto-configuration and thin listeners. */
@SpringBootApplication
public class InboxTestApplication {
}
