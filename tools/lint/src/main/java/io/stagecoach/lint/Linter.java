package io.stagecoach.lint;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.stagecoach.platform.environments.Environments;
import io.stagecoach.platform.environments.InvalidEnvironmentsException;
import tools.jackson.databind.JsonNode;

/**
 * Checks a repository's deploy files for what breaks isolation between environments: shared namespaces,
 * vhosts, buckets, IAM roles, image repositories and credentials; environments without a ResourceQuota or a
 * default-deny NetworkPolicy; developers who can change a protected environment by hand, or read a Git push
 * credential that writes a manually gated environment's desired state; RabbitMQ users
 * permitted on more than one environment's vhost; committed secrets. environments.yaml is read through the
 * platform's model, so it is refused here exactly when the services would refuse it.
 * <p>
 * Kustomizations and Helm values files are found wherever they are and tied to an environment by their
 * folder or file name (an environment's name, namespace or a common alias) or the namespace they name; each
 * report says which. Overlays are read as {@code kubectl kustomize} renders them when kubectl is on the
 * PATH, else from their YAML files directly (see {@link FileRenderer} for what that covers).
 */
public final class Linter {

	/** Environment variable that forces how overlays are read: {@code kubectl}, {@code files} or {@code auto}. */
	public static final String RENDER_MODE_VARIABLE = "STAGECOACH_LINT_RENDER";

	/** Values files that hold what every environment shares, by the part of the name after {@code values}. */
	private static final Set<String> SHARED_VALUES = Set.of("common", "base", "default", "defaults", "shared", "global");

	private final Renderer renderer;

	private final String developersGroup;

	/** Reads overlays the way {@link #RENDER_MODE_VARIABLE} says, {@code auto} when unset. */
	public Linter() {
		this(System.getenv(RENDER_MODE_VARIABLE), "developers");
	}

	/**
	 * @param renderMode {@code kubectl}, {@code files} or {@code auto} (null means auto)
	 * @param developersGroup the group that may not change protected environments by hand
	 */
	public Linter(String renderMode, String developersGroup) {
		this(Renderer.select(renderMode), developersGroup);
	}

	Linter(Renderer renderer, String developersGroup) {
		this.renderer = renderer;
		this.developersGroup = developersGroup;
	}

	/** Lints everything found under {@code folder} (see {@link LintInputs#discover}). */
	public Report lint(Path folder) {
		return lint(LintInputs.discover(folder));
	}

	public Report lint(LintInputs inputs) {
		Run run = new Run(inputs);
		run.environments();
		run.overlays();
		run.helmValues();
		run.rabbitmqDefinitions();
		run.flagFiles();
		return run.report();
	}

	/** One lint run's state: what was found, what it is tied to, what is wrong. */
	private final class Run {

		private final LintInputs inputs;

		private final List<Finding> findings = new ArrayList<>();

		private final List<Claim> claims = new ArrayList<>();

		private final List<String> checked = new ArrayList<>();

		private final List<Placement> placements = new ArrayList<>();

		private EnvironmentNames names;

		private String environmentsDisplay;

		private JsonNode environmentsTree;

		Run(LintInputs inputs) {
			this.inputs = inputs;
		}

		void environments() {
			Path file = inputs.environmentsFile();
			if (file == null) {
				names = EnvironmentNames.defaults("no environments.yaml found");
				return;
			}
			environmentsDisplay = inputs.display(file);
			checked.add(environmentsDisplay);
			try {
				environmentsTree = Yaml.document(file);
			}
			catch (RenderException ex) {
				environmentsTree = null;
			}
			try {
				Environments model = Environments.load(file);
				names = EnvironmentNames.of(model, environmentsDisplay);
				claims.addAll(Claims.fromEnvironments(model, environmentsDisplay));
			}
			catch (InvalidEnvironmentsException ex) {
				for (InvalidEnvironmentsException.Problem problem : ex.details()) {
					findings.add(Finding.error(environmentsDisplay, problem.line(), problem.what(),
							problem.fix().isEmpty() ? "correct it as the problem says" : problem.fix()));
				}
				names = EnvironmentNames.defaults(environmentsDisplay + " is invalid");
			}
			catch (UncheckedIOException ex) {
				findings.add(Finding.error(environmentsDisplay, "cannot be read: " + ex.getCause().getMessage(),
						"make it readable, or name another with --environments"));
				names = EnvironmentNames.defaults(environmentsDisplay + " cannot be read");
			}
		}

		void overlays() {
			Map<Path, Placement> overlays = inputs.discovered() ? sortKustomizations() : namedOverlays();
			// kubectl spends most of its time starting: render the overlays side by side
			List<Object> results = overlays.entrySet()
				.parallelStream()
				.map(overlay -> render(overlay.getKey(), overlay.getValue()))
				.toList();
			Map<String, List<Overlay>> byEnvironment = new LinkedHashMap<>();
			for (Object result : results) {
				if (result instanceof Overlay overlay) {
					byEnvironment.computeIfAbsent(overlay.environment(), e -> new ArrayList<>()).add(overlay);
				}
				else {
					findings.add((Finding) result);
				}
			}
			byEnvironment.forEach((environment, ofEnvironment) -> {
				for (Overlay overlay : ofEnvironment) {
					claims.addAll(Claims.fromOverlay(overlay, declaredRepositories()));
					findings.addAll(OverlayChecks.namespaces(overlay));
					findings.addAll(OverlayChecks.committedSecrets(overlay));
					findings.addAll(OverlayChecks.environmentVariable(overlay));
					findings.addAll(OverlayChecks.peopleAccess(overlay, names.isProtected(environment), developersGroup));
					findings.addAll(GitCredentialCheck.check(overlay, developersGroup, names.model()));
					names.model().ifPresent(model -> findings.addAll(CloudPolicyCheck.check(overlay, model)));
					names.get(environment)
						.ifPresent(env -> findings
							.addAll(EnvironmentChecks.overlayMatches(overlay, env, environmentsDisplay, environmentsTree)));
				}
				findings.addAll(OverlayChecks.guardrails(environment, ofEnvironment));
			});
			if (!overlays.isEmpty()) {
				checked.add(overlays.size() + " overlay(s)");
			}
		}

		/** Named on the command line: each is an overlay, of the environment its folders or namespace say. */
		private Map<Path, Placement> namedOverlays() {
			Map<Path, Placement> overlays = new LinkedHashMap<>();
			for (Path dir : inputs.kustomizations()) {
				Path file = FileRenderer.kustomizationFile(dir);
				JsonNode kustomization = file == null ? Yaml.MAPPER.createObjectNode() : readQuietly(file);
				String display = inputs.display(file == null ? dir : file);
				Placement placement = place(dir, display, kustomization)
					.orElseGet(() -> undeclared(display, dir.getFileName().toString(), "folder", "name the folder"));
				placements.add(placement);
				overlays.put(dir, placement);
			}
			return overlays;
		}

		/**
		 * Found by searching: a kustomization is an environment's overlay when its folders or namespace tie it to
		 * one and it is not part of another overlay of the same environment (a component, a nested base). One
		 * that no environment claims is a base when another kustomization includes it, and otherwise names an
		 * environment the linter does not know when it sits beside overlays (overlays/qa next to overlays/dev).
		 */
		private Map<Path, Placement> sortKustomizations() {
			Map<Path, JsonNode> files = new TreeMap<>();
			for (Path dir : inputs.kustomizations()) {
				files.put(dir, readQuietly(FileRenderer.kustomizationFile(dir)));
			}
			Map<Path, Set<Path>> includedBy = new HashMap<>();
			Map<Path, Set<Path>> includes = new HashMap<>();
			files.forEach((dir, kustomization) -> {
				for (String field : List.of("resources", "bases", "components")) {
					for (String resource : FileRenderer.strings(kustomization.path(field))) {
						Path target = dir.resolve(resource).normalize();
						if (!resource.contains("://") && files.containsKey(target)) {
							includedBy.computeIfAbsent(target, t -> new TreeSet<>()).add(dir);
							includes.computeIfAbsent(dir, d -> new TreeSet<>()).add(target);
						}
					}
				}
			});
			Map<Path, Placement> tied = new TreeMap<>();
			files.forEach((dir, kustomization) -> place(dir, display(dir), kustomization)
				.ifPresent(placement -> tied.put(dir, placement)));

			Map<Path, Placement> overlays = new TreeMap<>();
			Map<Path, Placement> skipped = new TreeMap<>();
			tied.forEach((dir, placement) -> {
				boolean component = files.get(dir).path("kind").asString("").equals("Component");
				Set<Path> sameEnvironment = includedBy.getOrDefault(dir, Set.of())
					.stream()
					.filter(by -> tied.containsKey(by) && tied.get(by).environment().equals(placement.environment()))
					.collect(Collectors.toCollection(TreeSet::new));
				if (component || !sameEnvironment.isEmpty()) {
					Set<Path> users = component ? includedBy.getOrDefault(dir, Set.of()) : sameEnvironment;
					skipped.put(dir, new Placement(display(dir), null, (component ? "a kustomize Component" : "part of")
							+ (users.isEmpty() ? ", used by no overlay" : (component ? " used by " : " ") + folders(users)
									+ ", checked through " + (users.size() == 1 ? "it" : "them"))));
				}
				else {
					overlays.put(dir, placement);
				}
			});
			Set<Path> overlayParents = overlays.keySet()
				.stream()
				.map(Path::getParent)
				.collect(Collectors.toSet());
			for (Path dir : files.keySet()) {
				if (tied.containsKey(dir)) {
					continue;
				}
				Set<Path> users = includedBy.getOrDefault(dir, Set.of());
				Set<Path> renders = includes.getOrDefault(dir, Set.of())
					.stream()
					.filter(overlays::containsKey)
					.collect(Collectors.toCollection(TreeSet::new));
				if (!users.isEmpty()) {
					skipped.put(dir, new Placement(display(dir), null,
							"a base of " + folders(users) + ", checked through " + (users.size() == 1 ? "it" : "them")));
				}
				else if (!renders.isEmpty()) {
					skipped.put(dir, new Placement(display(dir), null,
							"renders " + folders(renders) + " together; each is checked on its own"));
				}
				else if (overlayParents.contains(dir.getParent())) {
					overlays.put(dir, undeclared(display(dir), dir.getFileName().toString(), "folder", "name the folder"));
				}
				else {
					findings.add(Finding.warning(display(dir), "cannot tell which environment this kustomization is for,"
							+ " so it is not checked", "name its folder after an environment: " + names.known()
							+ (names.model().isPresent() ? ", or set namespace: to one of their namespaces" : "")));
					skipped.put(dir, new Placement(display(dir), null, "no environment (see the warning)"));
				}
			}
			Map<Path, Placement> all = new TreeMap<>(skipped);
			all.putAll(overlays);
			placements.addAll(all.values());
			return overlays;
		}

		/** The environment a folder's path or its kustomization's namespace names, nearest folder first. */
		private Optional<Placement> place(Path dir, String display, JsonNode kustomization) {
			for (String folder : folders(dir)) {
				Optional<EnvironmentNames.Resolution> found = names.resolve(folder);
				if (found.isPresent()) {
					return Optional.of(new Placement(display, found.get().environment(),
							found.get().describe("folder \"" + folder + "\"")));
				}
			}
			String namespace = kustomization.path("namespace").asString("");
			return names.resolveNamespace(namespace)
				.map(r -> new Placement(display, r.environment(), r.describe("namespace: " + namespace + " in it")));
		}

		/**
		 * A file that names an environment the linter does not know: an error against environments.yaml;
		 * without one, an environment of its own (checked under that name).
		 */
		private Placement undeclared(String display, String name, String what, String rename) {
			if (names.model().isPresent()) {
				findings.add(Finding.error(display, name + " is not an environment of " + environmentsDisplay,
						rename + " after an environment of " + environmentsDisplay + ": " + names.known() + ", or add "
								+ name + " there"));
				return new Placement(display, name, what + " \"" + name + "\", not in " + environmentsDisplay);
			}
			names.addUndeclared(name);
			return new Placement(display, name,
					what + " \"" + name + "\", an environment of its own (" + names.origin() + ")");
		}

		/** The rendered overlay, or the finding that says why it does not render. */
		private Object render(Path dir, Placement placement) {
			String environment = placement.environment();
			try {
				return new Overlay(environment, dir, placement.file(), renderer.render(dir));
			}
			catch (RenderException ex) {
				return Finding.error(placement.file(), environment + " does not render: " + ex.getMessage(),
						"run kubectl kustomize " + inputs.display(dir) + " and correct what it reports");
			}
			catch (RuntimeException ex) {
				return Finding.error(placement.file(), environment + " cannot be read without kubectl: " + ex,
						"install kubectl (the linter then renders with kubectl kustomize) or simplify the overlay");
			}
		}

		void helmValues() {
			int count = 0;
			for (Path file : inputs.helmValues()) {
				String display = inputs.display(file);
				JsonNode values;
				try {
					values = Yaml.document(file);
				}
				catch (RenderException ex) {
					findings.add(Finding.error(display, ex.getMessage(), "make it valid YAML"));
					continue;
				}
				Placement placement = placeValues(file, display, values);
				placements.add(placement);
				if (!placement.checked()) {
					continue;
				}
				count++;
				claims.addAll(Claims.fromHelmValues(placement.environment(), display, values, declaredRepositories()));
				names.get(placement.environment())
					.ifPresent(env -> findings
						.addAll(EnvironmentChecks.valuesMatch(display, values, env, environmentsDisplay)));
			}
			if (count > 0) {
				checked.add(count + " Helm values file(s)");
			}
		}

		/**
		 * A values file's environment: its {@code environment:}, the part of its name after {@code values}
		 * ({@code values-prd.yaml}), its folders (an overlay's {@code values.yaml}), or its {@code namespace:}.
		 */
		private Placement placeValues(Path file, String display, JsonNode values) {
			String declared = values.path("environment").asString("").strip();
			if (!declared.isEmpty()) {
				return names.resolve(declared)
					.map(r -> new Placement(display, r.environment(), r.describe("environment: " + declared + " in it")))
					.orElseGet(() -> undeclared(display, declared, "environment:", "set environment:"));
			}
			String name = file.getFileName().toString();
			String part = name.replaceFirst("\\.ya?ml$", "").replaceFirst("^values[-._]?", "");
			if (!part.isEmpty()) {
				Optional<EnvironmentNames.Resolution> found = names.resolve(part);
				if (found.isPresent()) {
					return new Placement(display, found.get().environment(),
							found.get().describe("\"" + part + "\" in its name"));
				}
				if (SHARED_VALUES.contains(part.toLowerCase(java.util.Locale.ROOT))) {
					return new Placement(display, null, "values shared by every environment, not one environment's");
				}
				return undeclared(display, part, "file name part", "name the file values-<environment>.yaml");
			}
			for (String folder : folders(file.getParent())) {
				Optional<EnvironmentNames.Resolution> found = names.resolve(folder);
				if (found.isPresent()) {
					return new Placement(display, found.get().environment(),
							found.get().describe("folder \"" + folder + "\""));
				}
			}
			String namespace = values.path("namespace").asString("");
			Optional<EnvironmentNames.Resolution> byNamespace = names.resolveNamespace(namespace);
			if (byNamespace.isPresent()) {
				return new Placement(display, byNamespace.get().environment(),
						byNamespace.get().describe("namespace: " + namespace + " in it"));
			}
			if (Files.isRegularFile(file.resolveSibling("Chart.yaml"))) {
				return new Placement(display, null, "the chart's defaults (Chart.yaml beside it), not one environment's");
			}
			findings.add(Finding.warning(display, "cannot tell which environment this values file is for, so it is"
					+ " not checked", "name it values-<environment>.yaml, put it in a folder named after the environment"
							+ " or set environment: to one of " + names.known()));
			return new Placement(display, null, "no environment (see the warning)");
		}

		void rabbitmqDefinitions() {
			Map<String, String> environmentOfVhost = new HashMap<>();
			names.model().ifPresent(model -> model.all().forEach(e -> environmentOfVhost.put(e.vhost(), e.name())));
			for (Path file : inputs.rabbitmqDefinitions()) {
				String display = inputs.display(file);
				JsonNode definitions;
				try {
					definitions = RabbitDefinitions.read(file);
				}
				catch (RenderException ex) {
					findings.add(Finding.error(display, ex.getMessage(), "regenerate it from environments.yaml"));
					checked.add(display);
					continue;
				}
				if (!RabbitDefinitions.isDefinitions(definitions)) {
					continue;
				}
				claims.addAll(RabbitDefinitions.claims(definitions, display, vhost -> environmentOfVhost.getOrDefault(
						vhost, names.resolve(vhost).map(EnvironmentNames.Resolution::environment).orElse(vhost))));
				findings.addAll(RabbitDefinitions.committedSecrets(definitions, display));
				checked.add(display);
			}
		}

		/**
		 * Feature flag files ({@code *.flagd.json}): each tied to an environment by the part of its name before
		 * {@code .flagd.json} ({@code prod.flagd.json}) or its folders ({@code flags/prod/checkout.flagd.json}, the
		 * flag set {@code checkout} of prod, as the GitOps deploy target writes a release's flags), checked alone and
		 * then each flag set in promotion order.
		 */
		void flagFiles() {
			// by flag set (the file's name, or none for a file named after its environment), then environment
			Map<String, Map<String, FlagdChecks.FlagFile>> bySet = new LinkedHashMap<>();
			for (Path file : inputs.flagFiles()) {
				String display = inputs.display(file);
				JsonNode flags;
				try {
					flags = FlagdChecks.read(file);
				}
				catch (RuntimeException ex) {
					findings.add(Finding.error(display, "is not JSON: " + ex.getMessage(),
							"make it a JSON object as flagd reads it"));
					continue;
				}
				String part = file.getFileName().toString().replaceFirst("\\.flagd\\.json$", "");
				Optional<Placement> placement = names.resolve(part)
					.map(r -> new Placement(display, r.environment(), r.describe("file name \"" + part + "\"")))
					.or(() -> folders(file.getParent()).stream()
						.flatMap(folder -> names.resolve(folder)
							.map(r -> new Placement(display, r.environment(), r.describe("folder \"" + folder + "\"")))
							.stream())
						.findFirst());
				if (placement.isEmpty()) {
					findings.add(Finding.warning(display, "cannot tell which environment these flags are for, so they "
							+ "are checked alone", "name the file or its folder after an environment: " + names.known()));
					findings.addAll(FlagdChecks.check(new FlagdChecks.FlagFile(null, display, flags)));
					checked.add(display);
					continue;
				}
				placements.add(placement.get());
				FlagdChecks.FlagFile flagFile = new FlagdChecks.FlagFile(placement.get().environment(), display, flags);
				findings.addAll(FlagdChecks.check(flagFile));
				String set = names.resolve(part).isPresent() ? "" : part;
				FlagdChecks.FlagFile other = bySet.computeIfAbsent(set, s -> new LinkedHashMap<>())
					.putIfAbsent(flagFile.environment(), flagFile);
				if (other != null) {
					findings.add(Finding.error(display, flagFile.environment() + " has a second flags file"
							+ (set.isEmpty() ? "" : " for " + set) + " besides " + other.display(),
							"keep one flags file per environment" + (set.isEmpty() ? "" : " and flag set")));
				}
				checked.add(display);
			}
			String first = names.names().isEmpty() ? null : names.names().get(0);
			bySet.forEach((set, byEnvironment) -> {
				List<FlagdChecks.FlagFile> inOrder = new ArrayList<>();
				names.names().forEach(environment -> {
					FlagdChecks.FlagFile file = byEnvironment.get(environment);
					if (file != null) {
						inOrder.add(file);
					}
				});
				if (!inOrder.isEmpty() && !inOrder.get(0).environment().equals(first)) {
					findings.add(Finding.error(inOrder.get(0).display(), inOrder.get(0).environment() + " has flags"
							+ (set.isEmpty() ? "" : " for " + set) + ", and " + first + " has no flags file"
							+ (set.isEmpty() ? "" : " for it") + ": a flag enters at " + first
							+ " and is promoted from there", "add " + first + "'s flags file ("
							+ (set.isEmpty() ? first + FlagdChecks.FLAG_FILE_SUFFIX
									: first + "/" + set + FlagdChecks.FLAG_FILE_SUFFIX)
							+ ") with the flags"));
				}
				findings.addAll(FlagdChecks.order(inOrder));
			});
		}

		Report report() {
			findings.addAll(IsolationCheck.check(claims, names.names(), environmentsDisplay));
			List<Finding> unique = new ArrayList<>(new LinkedHashSet<>(findings));
			unique.sort(Finding.ORDER);
			String environments = String.join(", ", names.names()) + " (" + names.origin() + ")";
			boolean nothing = checked.isEmpty() && unique.stream().noneMatch(f -> f.severity() == Severity.ERROR);
			return new Report(unique, renderer.description(), checked, placements, environments,
					nothing ? nothingToCheck() : null);
		}

		private String nothingToCheck() {
			String where = inputs.discovered() ? inputs.searched().toString() : "the files named";
			String searched = inputs.discovered() ? "It looked in that folder and every folder below it (except "
					+ LintInputs.SKIPPED + ") for" : "It looks for";
			long found = inputs.kustomizations().size() + inputs.helmValues().size();
			return "stagecoach-lint: nothing to check in " + where + ".\n" + searched + " kustomizations"
					+ " (kustomization.yaml, kustomization.yml, Kustomization) and Helm values files (values*.yaml) of"
					+ " environments, an environments.yaml and RabbitMQ definitions.json, and found "
					+ (found == 0 ? "none" : found + " kustomization(s) and values file(s), none of them an environment's"
							+ " (see above)")
					+ ".\nFix: give the repository's root or the folder holding your overlays; name overlay folders"
					+ " after environments: " + names.known() + "; or name the inputs: --environments FILE,"
					+ " --overlay DIR, --helm-values FILE.";
		}

		/** The image repositories environments.yaml gives, so that images from them count as claims. */
		private Set<String> declaredRepositories() {
			return names.model()
				.map(model -> model.all()
					.stream()
					.flatMap(e -> e.cloud().imageRepository().stream())
					.collect(Collectors.toSet()))
				.orElse(Set.of());
		}

		private String display(Path dir) {
			Path file = FileRenderer.kustomizationFile(dir);
			return inputs.display(file == null ? dir : file);
		}

		private String folders(Set<Path> dirs) {
			return dirs.stream().map(inputs::display).collect(Collectors.joining(", "));
		}

		/**
		 * The folder names from {@code dir} up to the folder searched (or the root), nearest first; the folder
		 * searched counts too, so {@code stagecoach lint overlays/prd} knows it is looking at prod.
		 */
		private List<String> folders(Path dir) {
			Path top = inputs.discovered() ? inputs.searched() : inputs.root();
			Path absolute = dir.toAbsolutePath().normalize();
			List<String> folders = new ArrayList<>();
			for (Path p = absolute; p != null && p.getFileName() != null; p = p.getParent()) {
				folders.add(p.getFileName().toString());
				if (p.equals(top)) {
					break;
				}
			}
			return folders;
		}

		private JsonNode readQuietly(Path file) {
			try {
				return file == null ? Yaml.MAPPER.createObjectNode() : Yaml.document(file);
			}
			catch (RenderException ex) {
				return Yaml.MAPPER.createObjectNode();
			}
		}
	}
}
