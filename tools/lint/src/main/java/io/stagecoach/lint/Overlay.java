package io.stagecoach.lint;

import java.nio.file.Path;
import java.util.List;

import tools.jackson.databind.node.ObjectNode;

/**
 * One rendered kustomize overlay.
 *
 * @param environment the environment it deploys
 * @param dir its directory
 * @param file its kustomization file, as findings name it
 * @param objects what it renders
 */
record Overlay(String environment, Path dir, String file, List<ObjectNode> objects) {
}
