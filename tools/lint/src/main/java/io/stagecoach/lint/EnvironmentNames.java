package io.stagecoach.lint;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import io.stagecoach.platform.environments.Environment;
import io.stagecoach.platform.environments.Environments;

/**
 * The environments a lint run checks, in promotion order, and how a folder or file name leads to one: the
 * environment's name, its namespace, or a common alias of its name ({@code prd} and {@code production} for
 * prod, {@code stg} and {@code stage} for staging, {@code development} and {@code develop} for dev).
 * Names are compared whole and regardless of case: {@code prod-tools} is not prod.
 */
final class EnvironmentNames {

	private static final List<Set<String>> ALIASES = List.of(Set.of("prod", "prd", "production"),
			Set.of("staging", "stage", "stg"), Set.of("dev", "development", "develop"));

	/** The default path's names, for a repository without (or with an unreadable) environments.yaml. */
	private static final List<String> DEFAULT_NAMES = List.of("dev", "staging", "prod");

	/**
	 * How a word led to an environment.
	 *
	 * @param environment the environment's name
	 * @param how empty for its name; otherwise {@code an alias of prod} or {@code prod's namespace}
	 */
	record Resolution(String environment, String how) {

		/** {@code folder "prd", an alias of prod}: what led here, then how (for the placement line). */
		String describe(String what) {
			return what + (how.isEmpty() ? "" : ", " + how);
		}
	}

	private final Environments model;

	private final String origin;

	private final List<String> names = new ArrayList<>();

	private EnvironmentNames(Environments model, String origin, List<String> names) {
		this.model = model;
		this.origin = origin;
		this.names.addAll(names);
	}

	/** The environments of a valid environments.yaml; {@code display} names the file in messages. */
	static EnvironmentNames of(Environments model, String display) {
		return new EnvironmentNames(model, "from " + display, model.all().stream().map(Environment::name).toList());
	}

	/** dev, staging, prod; {@code why} says why there is no file to take them from. */
	static EnvironmentNames defaults(String why) {
		return new EnvironmentNames(null, "the default names: " + why, DEFAULT_NAMES);
	}

	/** The model, when a valid environments.yaml was read. */
	Optional<Environments> model() {
		return Optional.ofNullable(model);
	}

	/** Where the names come from: {@code from deploy/environments.yaml}, or why they are the defaults. */
	String origin() {
		return origin;
	}

	/** Every environment, in promotion order. */
	List<String> names() {
		return List.copyOf(names);
	}

	/**
	 * Without environments.yaml an overlay folder beside the known ones names an environment of its own,
	 * as it did before aliases existed ({@code overlays/qa} next to {@code overlays/dev}).
	 */
	void addUndeclared(String name) {
		if (model == null && !names.contains(name)) {
			names.add(name);
		}
	}

	/** Whether people may not change it by hand: behind a manual gate; without environments.yaml, prod. */
	boolean isProtected(String environment) {
		if (model == null) {
			return environment.equals("prod");
		}
		return model.find(environment).map(Environment::isManual).orElse(false);
	}

	Optional<Environment> get(String environment) {
		return model == null ? Optional.empty() : model.find(environment);
	}

	/** The environment a folder name, file name part or namespace stands for. */
	Optional<Resolution> resolve(String word) {
		String w = word.strip().toLowerCase(Locale.ROOT);
		if (w.isEmpty()) {
			return Optional.empty();
		}
		for (String name : names) {
			if (name.equalsIgnoreCase(w)) {
				return Optional.of(new Resolution(name, ""));
			}
		}
		if (model != null) {
			for (Environment environment : model.all()) {
				if (environment.namespace().equals(w)) {
					return Optional.of(new Resolution(environment.name(), environment.name() + "'s namespace"));
				}
			}
		}
		for (Set<String> group : ALIASES) {
			if (group.contains(w)) {
				List<String> matching = names.stream().filter(group::contains).toList();
				if (matching.size() == 1) {
					return Optional.of(new Resolution(matching.get(0), "an alias of " + matching.get(0)));
				}
			}
		}
		return Optional.empty();
	}

	/** By a namespace alone (a kustomization's or a values file's {@code namespace:}). */
	Optional<Resolution> resolveNamespace(String namespace) {
		if (model == null || namespace.isBlank()) {
			return Optional.empty();
		}
		return model.all()
			.stream()
			.filter(e -> e.namespace().equals(namespace.strip()))
			.findFirst()
			.map(e -> new Resolution(e.name(), e.name() + "'s namespace"));
	}

	/** For messages: {@code dev, staging, prod (or prd, production, stg, stage, development, develop)}. */
	String known() {
		List<String> aliases = new ArrayList<>();
		for (Set<String> group : ALIASES) {
			if (names.stream().anyMatch(group::contains)) {
				group.stream().filter(a -> !names.contains(a)).sorted().forEach(aliases::add);
			}
		}
		return String.join(", ", names) + (aliases.isEmpty() ? "" : " (or " + String.join(", ", aliases) + ")");
	}
}
