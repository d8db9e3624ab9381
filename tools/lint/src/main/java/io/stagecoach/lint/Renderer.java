package io.stagecoach.lint;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import tools.jackson.databind.node.ObjectNode;

/** Turns a kustomization directory into the objects it renders. */
interface Renderer {

	List<ObjectNode> render(Path kustomizationDir);

	/** How the overlays were read, for the report. */
	String description();

	/**
	 * {@code kubectl kustomize} when kubectl is on the PATH (exactly what gets applied), else the files read
	 * directly. {@code mode} forces one: {@code kubectl}, {@code files}, or {@code auto}.
	 */
	static Renderer select(String mode) {
		String chosen = mode == null ? "auto" : mode.toLowerCase(Locale.ROOT);
		return switch (chosen) {
			case "kubectl" -> new KubectlRenderer("kubectl");
			case "files" -> new FileRenderer();
			case "auto" -> onPath("kubectl") ? new KubectlRenderer("kubectl") : new FileRenderer();
			default -> throw new IllegalArgumentException("unknown render mode " + mode + " (auto, kubectl, files)");
		};
	}

	static boolean onPath(String program) {
		String path = System.getenv("PATH");
		if (path == null) {
			return false;
		}
		for (String dir : path.split(File.pathSeparator)) {
			if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
				return true;
			}
		}
		return false;
	}
}
