package io.stagecoach.buildcompleted;

import io.stagecoach.ledger.LedgerFeed;
import io.stagecoach.support.StagecoachIdentity;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The release registry follows the shared ledger feed from its first record (the feed replays after wiring). */
@Configuration(proxyBeanMethods = false)
class LedgerConfiguration {

    @Bean
    InitializingBean releaseRegistryFollowsTheAuditStream(LedgerFeed feed, ReleaseRegistry registry,
                                                          StagecoachIdentity identity) {
        return () -> feed.onRecord(record -> registry.apply(record, identity.environmentName()));
    }
}
