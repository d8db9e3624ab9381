package io.stagecoach.lint;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.node.ObjectNode;

/** Renders with {@code kubectl kustomize}: the same objects {@code kubectl apply -k} would send. */
final class KubectlRenderer implements Renderer {

	private static final long TIMEOUT_SECONDS = 60;

	private final String kubectl;

	KubectlRenderer(String kubectl) {
		this.kubectl = kubectl;
	}

	@Override
	public List<ObjectNode> render(Path kustomizationDir) {
		Process process;
		try {
			process = new ProcessBuilder(kubectl, "kustomize", kustomizationDir.toString()).start();
		}
		catch (IOException ex) {
			throw new RenderException("cannot run " + kubectl + ": " + ex.getMessage());
		}
		CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
		CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
		try {
			if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new RenderException(kubectl + " kustomize did not finish in " + TIMEOUT_SECONDS + " s");
			}
			if (process.exitValue() != 0) {
				throw new RenderException(firstLine(err.join()));
			}
			return Yaml.documents(out.join(), kubectl + " kustomize " + kustomizationDir);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			process.destroyForcibly();
			throw new RenderException("interrupted while rendering " + kustomizationDir);
		}
	}

	@Override
	public String description() {
		return "rendered with " + kubectl + " kustomize";
	}

	private static String readAll(InputStream in) {
		try (in) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String firstLine(String text) {
		String trimmed = text.strip();
		int end = trimmed.indexOf('\n');
		return end < 0 ? trimmed : trimmed.substring(0, end);
	}
}
