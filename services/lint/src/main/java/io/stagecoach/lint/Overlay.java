package io.stagecoach.lint;

import java.nio.file.Path;
import java.util.List;

import tools.jackson.databind.node.ObjectNode;

/**
 * One rendered kustomize overlay.
 *
 * @param environment the environment it is for (its directory's name)
 * @param dir its directory
 * @param file its kustomization file, as findings name it
 * @param workload whether it deploys the promoted workload rather than Stagecoach itself
 * @param objects what it renders
 */
record Overlay(String environment, Path dir, String file, boolean workload, List<ObjectNode> objects) {
}
