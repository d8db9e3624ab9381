package io.stagecoach.platform.cloud;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.stagecoach.platform.environments.CloudResources;
import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Each environment's AWS resources as AWS Controllers for Kubernetes (ACK) objects, from what
 * {@code environments.yaml} names (ADR 44): its ECR repository with a lifecycle policy that expires images after
 * its {@code image-retention}, its S3 bucket with every public access blocked, encrypted and versioned, and its IAM
 * role for the promoted services' service accounts (IRSA), whose policy names that environment's repository and
 * bucket and nothing of another's. Pure: files by path, under one folder per environment.
 */
public final class AwsResources {

    /** {@code <account>.dkr.ecr.<region>.amazonaws.com/<name>}. */
    static final Pattern ECR = Pattern.compile("(\\d{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com/([a-z0-9._/-]+)");
    /** {@code arn:aws:iam::<account>:role/[path/]<name>}. */
    static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):role/((?:[\\w+=,.@-]+/)*)([\\w+=,.@-]+)");
    static final String MANAGED_BY = "stagecoach";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private AwsResources() {
    }

    /** What an environment lacks for its resources to be generated, or can be generated with. */
    public record Plan(Map<String, String> files, List<String> problems) {
    }

    /**
     * The files of {@code <env>/kustomization.yaml}, {@code repository.yaml}, {@code bucket.yaml} and
     * {@code role.yaml} for every environment, relative to the folder they go in.
     *
     * @param oidcProvider the cluster's OIDC issuer without {@code https://}, as IAM knows it
     *                     ({@code oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE})
     */
    public static Plan plan(Environments environments, String oidcProvider) {
        Map<String, String> files = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        if (oidcProvider == null || !oidcProvider.matches("[a-z0-9.-]+(/[A-Za-z0-9._-]+)*")
                || oidcProvider.startsWith("https")) {
            problems.add("the OIDC provider '" + oidcProvider + "' is not an issuer as IAM names it: give it without "
                    + "https://, e.g. oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE");
            return new Plan(files, problems);
        }
        for (Environment environment : environments.all()) {
            CloudResources cloud = environment.cloud();
            String env = environment.name();
            Matcher repository = ECR.matcher(cloud.imageRepository().orElse(""));
            Matcher role = ROLE_ARN.matcher(cloud.iamRole().orElse(""));
            Optional<String> bucket = cloud.bucketName();
            List<String> missing = new ArrayList<>();
            if (!repository.matches()) {
                missing.add("image-repository (an ECR repository, <account>.dkr.ecr.<region>.amazonaws.com/<name>)");
            }
            if (cloud.imageRetention().isEmpty()) {
                missing.add("image-retention (e.g. 30d)");
            }
            if (bucket.isEmpty() || cloud.bucket().orElse("").startsWith("gs://")) {
                missing.add("bucket (an S3 bucket)");
            }
            if (!role.matches()) {
                missing.add("iam-role (an AWS role ARN, arn:aws:iam::<account>:role/<name>)");
            }
            if (!missing.isEmpty()) {
                problems.add(env + " names no " + String.join(", no ", missing) + " in environments.yaml");
                continue;
            }
            String account = repository.group(1);
            String region = repository.group(2);
            String repositoryName = repository.group(3);
            String repositoryArn = "arn:aws:ecr:" + region + ":" + account + ":repository/" + repositoryName;
            String bucketArn = "arn:aws:s3:::" + bucket.get();
            String namespace = environment.namespace();
            String header = "# " + env + "'s AWS resources, applied by AWS Controllers for Kubernetes. Generated from "
                    + "deploy/environments.yaml\n# by `stagecoach cloud-resources`: change that file and generate "
                    + "again, never this one.\n";
            files.put(env + "/kustomization.yaml", header + """
                    apiVersion: kustomize.config.k8s.io/v1beta1
                    kind: Kustomization
                    namespace: %s
                    labels:
                      - pairs:
                          app.kubernetes.io/managed-by: %s
                          stagecoach.io/environment: %s
                    resources:
                      - repository.yaml
                      - bucket.yaml
                      - role.yaml
                    """.formatted(namespace, MANAGED_BY, env));
            files.put(env + "/repository.yaml", header + """
                    apiVersion: ecr.services.k8s.aws/v1alpha1
                    kind: Repository
                    metadata:
                      name: %s
                    spec:
                      name: %s
                      imageTagMutability: IMMUTABLE
                      imageScanningConfiguration:
                        scanOnPush: true
                      lifecyclePolicy: '%s'
                      tags:
                        - key: stagecoach.io/environment
                          value: %s
                    """.formatted(kubernetesName(repositoryName), repositoryName,
                    lifecyclePolicy(cloud.imageRetention().get().toDays()), env));
            files.put(env + "/bucket.yaml", header + """
                    apiVersion: s3.services.k8s.aws/v1alpha1
                    kind: Bucket
                    metadata:
                      name: %s
                    spec:
                      name: %s
                      publicAccessBlock:
                        blockPublicACLs: true
                        blockPublicPolicy: true
                        ignorePublicACLs: true
                        restrictPublicBuckets: true
                      encryption:
                        rules:
                          - applyServerSideEncryptionByDefault:
                              sseAlgorithm: AES256
                      versioning:
                        status: Enabled
                      tagging:
                        tagSet:
                          - key: stagecoach.io/environment
                            value: %s
                    """.formatted(kubernetesName(bucket.get()), bucket.get(), env));
            files.put(env + "/role.yaml", header + """
                    apiVersion: iam.services.k8s.aws/v1alpha1
                    kind: Role
                    metadata:
                      name: %s
                    spec:
                      name: %s
                      path: %s
                      description: "%s's workloads (IRSA): pull from %s, read and write %s"
                      maxSessionDuration: 3600
                      assumeRolePolicyDocument: '%s'
                      inlinePolicies:
                        %s: '%s'
                      tags:
                        - key: stagecoach.io/environment
                          value: %s
                    """.formatted(kubernetesName(role.group(3)), role.group(3), "/" + role.group(2), env,
                    repositoryName, bucket.get(), trustPolicy(account, oidcProvider, namespace,
                            environments.services()), "stagecoach-" + env, accessPolicy(repositoryArn, bucketArn),
                    env));
        }
        return new Plan(files, problems);
    }

    /** Expires every image pushed more than {@code days} ago. */
    static String lifecyclePolicy(long days) {
        ObjectNode policy = JSON.createObjectNode();
        ObjectNode rule = policy.putArray("rules").addObject();
        rule.put("rulePriority", 1);
        rule.put("description", "expire images pushed more than " + days + " days ago");
        rule.putObject("selection").put("tagStatus", "any").put("countType", "sinceImagePushed")
                .put("countUnit", "days").put("countNumber", days);
        rule.putObject("action").put("type", "expire");
        return JSON.writeValueAsString(policy);
    }

    /** Only the promoted services' service accounts of the environment's namespace, through the cluster's issuer. */
    static String trustPolicy(String account, String oidcProvider, String namespace, List<String> services) {
        ObjectNode policy = JSON.createObjectNode().put("Version", "2012-10-17");
        ObjectNode statement = policy.putArray("Statement").addObject();
        statement.put("Effect", "Allow");
        statement.putObject("Principal").put("Federated", "arn:aws:iam::" + account + ":oidc-provider/"
                + oidcProvider);
        statement.put("Action", "sts:AssumeRoleWithWebIdentity");
        ObjectNode condition = statement.putObject("Condition").putObject("StringEquals");
        condition.put(oidcProvider + ":aud", "sts.amazonaws.com");
        ArrayNode subjects = condition.putArray(oidcProvider + ":sub");
        (services.isEmpty() ? List.of("default") : services).forEach(service -> subjects.add(
                "system:serviceaccount:" + namespace + ":" + service));
        return JSON.writeValueAsString(policy);
    }

    /** Pull from the environment's repository, read and write its bucket: nothing of another environment's. */
    static String accessPolicy(String repositoryArn, String bucketArn) {
        ObjectNode policy = JSON.createObjectNode().put("Version", "2012-10-17");
        ArrayNode statements = policy.putArray("Statement");
        ObjectNode pull = statements.addObject().put("Sid", "PullFromTheEnvironmentsRepository").put("Effect", "Allow");
        pull.putArray("Action").add("ecr:BatchGetImage").add("ecr:GetDownloadUrlForLayer")
                .add("ecr:BatchCheckLayerAvailability");
        pull.put("Resource", repositoryArn);
        // a registry token is account-wide in IAM; what it lets pull is the statement above
        ObjectNode token = statements.addObject().put("Sid", "RegistryToken").put("Effect", "Allow");
        token.put("Action", "ecr:GetAuthorizationToken").put("Resource", "*");
        ObjectNode bucket = statements.addObject().put("Sid", "TheEnvironmentsBucket").put("Effect", "Allow");
        bucket.putArray("Action").add("s3:ListBucket");
        bucket.put("Resource", bucketArn);
        ObjectNode objects = statements.addObject().put("Sid", "TheEnvironmentsObjects").put("Effect", "Allow");
        objects.putArray("Action").add("s3:GetObject").add("s3:PutObject").add("s3:DeleteObject");
        objects.put("Resource", bucketArn + "/*");
        return JSON.writeValueAsString(policy);
    }

    private static String kubernetesName(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    }
}
