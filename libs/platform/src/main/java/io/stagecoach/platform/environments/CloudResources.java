package io.stagecoach.platform.environments;

import java.util.Objects;
import java.util.Optional;

/**
 * What an environment owns outside the cluster and the broker, as far as {@code environments.yaml} names it.
 * Stagecoach does not use these at run time; they are declared so that {@code stagecoach lint} can tell
 * when two environments share one (a dev build that can write what prod reads is not isolated).
 *
 * @param gitopsRepository the GitOps repository holding the environment's desired state, which only its own
 *                        deploy credential may push to ({@code gitops-repository: https://git.example.com/acme/prod})
 * @param gitopsBranch    the branch of it the environment's desired state is on ({@code gitops-branch: prod}); with
 *                        one repository for all environments, a protected branch per environment
 * @param imageRepository the container image repository the environment pulls from, without tag or digest
 *                        ({@code image-repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-prod})
 * @param bucket          the environment's object storage bucket, a name or {@code s3://}/{@code gs://} URL
 *                        ({@code bucket: s3://shop-artifacts-prod/builds})
 * @param iamRole         the cloud identity its workloads run as: an AWS role ARN, a GCP service account
 *                        or an Azure client id ({@code iam-role: arn:aws:iam::123456789012:role/shop-prod})
 * @param deployTarget    how a release is put into the environment: {@code gitops} (a commit to its GitOps
 *                        repository) or {@code kubernetes} (the Deployment's image set in its namespace); the
 *                        services of the environment use it unless {@code stagecoach.target.type} says the same
 * @param imageRetention  how long an image stays in the environment's repository after it was pushed
 *                        ({@code image-retention: 30d}): the lifecycle policy of the generated repository
 */
public record CloudResources(Optional<String> imageRepository, Optional<String> bucket, Optional<String> iamRole,
                             Optional<String> gitopsRepository, Optional<String> gitopsBranch,
                             Optional<String> deployTarget, Optional<java.time.Duration> imageRetention) {

    /** Cloud resources without an image retention. */
    public CloudResources(Optional<String> imageRepository, Optional<String> bucket, Optional<String> iamRole,
                          Optional<String> gitopsRepository, Optional<String> gitopsBranch,
                          Optional<String> deployTarget) {
        this(imageRepository, bucket, iamRole, gitopsRepository, gitopsBranch, deployTarget, Optional.empty());
    }

    /** An environment that names none of them. */
    public static final CloudResources NONE = new CloudResources(Optional.empty(), Optional.empty(), Optional.empty());

    public CloudResources {
        Objects.requireNonNull(imageRepository, "imageRepository");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(iamRole, "iamRole");
        Objects.requireNonNull(gitopsRepository, "gitopsRepository");
        Objects.requireNonNull(gitopsBranch, "gitopsBranch");
        Objects.requireNonNull(deployTarget, "deployTarget");
        Objects.requireNonNull(imageRetention, "imageRetention");
    }

    /** Cloud resources and a GitOps repository, the deploy target left to the services' settings. */
    public CloudResources(Optional<String> imageRepository, Optional<String> bucket, Optional<String> iamRole,
                          Optional<String> gitopsRepository, Optional<String> gitopsBranch) {
        this(imageRepository, bucket, iamRole, gitopsRepository, gitopsBranch, Optional.empty());
    }

    /** Cloud resources without a GitOps repository of the environment's own. */
    public CloudResources(Optional<String> imageRepository, Optional<String> bucket, Optional<String> iamRole) {
        this(imageRepository, bucket, iamRole, Optional.empty(), Optional.empty());
    }

    /**
     * Where the environment's desired state is written, when environments.yaml names it: the repository and branch
     * (the branch defaults to {@code main}) that only this environment's deploy credential may push to. Two
     * environments with the same pair share a credential that writes both.
     */
    public Optional<String> gitopsTarget() {
        return gitopsRepository.map(repository -> repository + "#" + gitopsBranch.orElse("main"));
    }

    /**
     * The bucket's name alone: {@code s3://shop-artifacts/builds/dev} and {@code shop-artifacts} are the
     * same bucket (prefixes in one bucket do not separate environments).
     */
    public Optional<String> bucketName() {
        return bucket.map(CloudResources::bucketName);
    }

    static String bucketName(String bucketOrUrl) {
        String name = bucketOrUrl.strip();
        int scheme = name.indexOf("://");
        if (scheme >= 0) {
            name = name.substring(scheme + 3);
            int slash = name.indexOf('/');
            name = slash < 0 ? name : name.substring(0, slash);
        }
        return name;
    }
}
