package io.stagecoach.lint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Two environments using the same namespace, vhost, bucket, role, repository or credential are not isolated.
 * The environment first in promotion order keeps the name; every later one that reuses it gets a finding
 * per file that says so. Where environments.yaml gives the later one a name of its own, the fix names it.
 */
final class IsolationCheck {

	private IsolationCheck() {
	}

	private record Key(ClaimKind kind, String environment, String owner, String file) {
	}

	/**
	 * @param environmentsFile environments.yaml as claims name it, or null: what it gives an environment is
	 *        that environment's own
	 */
	static List<Finding> check(List<Claim> claims, List<String> order, String environmentsFile) {
		Comparator<String> inOrder = Comparator.comparingInt((String env) -> {
			int index = order.indexOf(env);
			return index < 0 ? Integer.MAX_VALUE : index;
		}).thenComparing(Comparator.naturalOrder());
		Map<ClaimKind, Map<String, Set<String>>> users = new LinkedHashMap<>();
		for (Claim claim : claims) {
			users.computeIfAbsent(claim.kind(), k -> new LinkedHashMap<>())
				.computeIfAbsent(claim.value(), v -> new TreeSet<>(inOrder))
				.add(claim.environment());
		}
		Map<Key, Set<String>> shared = new LinkedHashMap<>();
		for (Claim claim : claims) {
			Set<String> environments = users.get(claim.kind()).get(claim.value());
			String owner = environments.iterator().next();
			if (environments.size() > 1 && !owner.equals(claim.environment())) {
				shared.computeIfAbsent(new Key(claim.kind(), claim.environment(), owner, claim.file()),
						k -> new TreeSet<>())
					.add(claim.value());
			}
		}
		List<Finding> findings = new ArrayList<>();
		shared.forEach((key, values) -> {
			String names = values.stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(", "));
			String own = key.file().equals(environmentsFile) ? null
					: claims.stream()
						.filter(c -> c.file().equals(environmentsFile) && c.kind() == key.kind()
								&& c.environment().equals(key.environment()) && !values.contains(c.value()))
						.map(Claim::value)
						.findFirst()
						.orElse(null);
			findings.add(Finding.error(key.file(),
					key.environment() + " shares the " + key.kind().label(values.size()) + " " + names + " with "
							+ key.owner(),
					own == null ? key.kind().fix(key.environment(), values.iterator().next())
							: "use " + key.environment() + "'s own " + key.kind().label(1) + ", " + own + ", as "
									+ environmentsFile + " gives it"));
		});
		return findings;
	}
}
