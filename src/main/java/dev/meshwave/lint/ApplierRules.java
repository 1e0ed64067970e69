package dev.meshwave.lint;

import dev.meshwave.plan.Manifest;
import dev.meshwave.plan.ManifestFile;
import dev.meshwave.plan.SourcePosition;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * The rules about who sets a namespace's injection labels, asked of the repository's Flux Kustomizations
 * and Argo CD Applications ({@link Appliers}): a Namespace that two of them apply with different labels,
 * and labels set in an applier's own fields rather than in a Namespace manifest. meshwave's waves relabel
 * Namespace manifests; a label set anywhere else overrides or fights them.
 */
final class ApplierRules {

    /** A hit and the build, tree or directory it is seen in (the applier's source, or the directory of its file). */
    record Placed(String seenIn, InjectionRules.Hit hit) {}

    private static final String INJECTION = "istio-injection";
    private static final String REV = "istio.io/rev";
    private static final List<String> LABELS = List.of(INJECTION, REV);

    private ApplierRules() {}

    /**
     * The hits of both rules. {@code applied} gives the objects one source of an applier applies (built, or
     * read as plain YAML); {@code directory} names the directory of an applier's file as lint shows it.
     */
    static List<Placed> check(List<Appliers.Applier> appliers, BiFunction<Appliers.Applier, Appliers.Source, List<Manifest>> applied,
            java.util.function.Function<Appliers.Applier, String> directory) {
        List<Placed> hits = new ArrayList<>();
        namespacesAppliedTwice(appliers, applied, hits);
        for (Appliers.Applier applier : appliers) {
            if (applier.flux()) {
                fluxPatches(applier, directory.apply(applier), hits);
            } else {
                managedNamespaceMetadata(applier, directory.apply(applier), hits);
            }
        }
        return hits;
    }

    /** One applier's Namespace: which source applies it, and the object as built, traced to its file. */
    private record Applied(Appliers.Applier applier, Appliers.Source source, Manifest namespace) {
        Map<String, String> injection() {
            Map<String, String> labels = new TreeMap<>(namespace.labels());
            labels.keySet().retainAll(LABELS);
            return labels;
        }

        /** The line of the first injection label, or of the labels (or the name) when it has none. */
        SourcePosition at() {
            return injection().keySet().stream().findFirst().map(key -> namespace.at(Manifest.label(key)))
                    .orElseGet(() -> namespace.positions().containsKey("/metadata/labels") ? namespace.at("/metadata/labels")
                            : namespace.at("/metadata/name"));
        }

        String describe() {
            Map<String, String> labels = injection();
            String text = labels.isEmpty() ? "no injection label" : String.join(" and ", labels.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).toList());
            return applier.name(source) + " with " + text + " (" + at() + ")";
        }
    }

    /**
     * A Namespace is cluster-wide: when two appliers of one cluster apply it, each writes its own labels at
     * every reconcile. With the same injection labels nothing changes for injection; with different ones the
     * namespace flips. Appliers of different clusters ({@link #sameCluster}) may well label it differently.
     */
    private static void namespacesAppliedTwice(List<Appliers.Applier> appliers,
            BiFunction<Appliers.Applier, Appliers.Source, List<Manifest>> applied, List<Placed> hits) {
        Map<Appliers.Applier, List<Manifest>> objects = new LinkedHashMap<>();
        // By applier, not by name: clusters/prod and clusters/staging each have their Kustomization "apps".
        Map<String, Map<Appliers.Applier, Applied>> byNamespace = new TreeMap<>();
        for (Appliers.Applier applier : appliers) {
            for (Appliers.Source source : applier.sources()) {
                List<Manifest> built = applied.apply(applier, source);
                objects.computeIfAbsent(applier, a -> new ArrayList<>()).addAll(built);
                for (Manifest object : built) {
                    if (object.kind().equals("Namespace") && !object.name().isEmpty()) {
                        // One applier applying a namespace from two of its sources is one applier.
                        byNamespace.computeIfAbsent(object.name(), n -> new LinkedHashMap<>()).putIfAbsent(applier,
                                new Applied(applier, source, object));
                    }
                }
            }
        }
        Map<Appliers.Applier, java.util.Set<String>> roots = new LinkedHashMap<>();
        appliers.forEach(a -> roots.put(a, roots(a, appliers, objects, new java.util.HashSet<>())));
        byNamespace.forEach((name, by) -> {
            // Appliers of one cluster together: each group is checked on its own.
            List<List<Applied>> groups = new ArrayList<>();
            for (Applied a : by.values()) {
                List<List<Applied>> joined = groups.stream().filter(g -> g.stream().anyMatch(b -> sameCluster(a.applier(), b.applier(), roots)))
                        .toList();
                List<Applied> group = new ArrayList<>(List.of(a));
                joined.forEach(group::addAll);
                groups.removeAll(joined);
                groups.add(group);
            }
            for (List<Applied> group : groups) {
                if (group.size() < 2 || group.stream().map(Applied::injection).distinct().count() < 2) {
                    continue;
                }
                List<Applied> sorted = group.stream().sorted(java.util.Comparator.comparingInt(a -> appliers.indexOf(a.applier()))).toList();
                String message = "namespace '" + name + "' is applied by " + sorted.size() + " Flux Kustomizations or Argo CD Applications"
                        + " with different injection labels: " + String.join("; ", sorted.stream().map(Applied::describe).toList())
                        + "; each writes its own labels over the other's at every reconcile, so the namespace's injection flips between"
                        + " them and a relabel in one is undone by the other (apply the Namespace from one of them)";
                sorted.forEach(a -> hits.add(new Placed(a.applier().name(a.source()), new InjectionRules.Hit(Rule.NAMESPACE_APPLIED_TWICE,
                        a.at(), message, sorted.stream().map(Applied::at).filter(at -> !at.equals(a.at())).distinct().toList()))));
            }
        });
    }

    /**
     * Where an applier's chain of appliers starts: the appliers of the repository that apply its object (a
     * Flux Kustomization or an Application is itself applied by one, up to the cluster's root, which Flux's
     * bootstrap commits and which applies itself), followed to those nothing else applies; for one that
     * nothing applies, the directory of its file (files of one directory are applied together). Two appliers
     * with no root in common belong to different clusters, e.g. {@code clusters/prod} and {@code clusters/staging}.
     */
    private static java.util.Set<String> roots(Appliers.Applier applier, List<Appliers.Applier> appliers,
            Map<Appliers.Applier, List<Manifest>> objects, java.util.Set<Appliers.Applier> seen) {
        seen.add(applier);
        java.util.Set<String> roots = new java.util.TreeSet<>();
        for (Appliers.Applier by : appliers) {
            if (by != applier && !seen.contains(by) && objects.getOrDefault(by, List.of()).stream().anyMatch(o -> o.kind().equals(
                    applier.object().kind()) && o.name().equals(applier.object().name()) && o.start().file().equals(applier.object().start().file()))) {
                roots.addAll(roots(by, appliers, objects, seen));
            }
        }
        if (roots.isEmpty()) {
            roots.add(String.valueOf(applier.file().getParent()));
        }
        return roots;
    }

    /**
     * Two appliers of the same chain ({@link #roots}) that send to the same cluster: Argo CD's
     * {@code spec.destination} ({@code server}, or {@code name}; {@code https://kubernetes.default.svc} is
     * {@code in-cluster}), Flux's {@code spec.kubeConfig.secretRef.name} (none: its own cluster).
     */
    private static boolean sameCluster(Appliers.Applier a, Appliers.Applier b, Map<Appliers.Applier, java.util.Set<String>> roots) {
        return roots.get(a).stream().anyMatch(roots.get(b)::contains) && destination(a).equals(destination(b));
    }

    private static String destination(Appliers.Applier applier) {
        Object object = applier.object().object();
        if (applier.flux()) {
            return Manifest.text(InjectedSidecars.get(object, "/spec/kubeConfig/secretRef/name"));
        }
        String server = Manifest.text(InjectedSidecars.get(object, "/spec/destination/server"));
        String name = Manifest.text(InjectedSidecars.get(object, "/spec/destination/name"));
        return server.equals("https://kubernetes.default.svc") || name.equals("in-cluster") || server.isEmpty() && name.isEmpty() ? ""
                : !server.isEmpty() ? server : name;
    }

    /**
     * Argo CD sets {@code spec.syncPolicy.managedNamespaceMetadata.labels} on the Application's destination
     * namespace, and only with the {@code CreateNamespace=true} sync option (argoproj/argo-cd@v3.5.1
     * {@code pkg/apis/application/v1alpha1/types.go}, {@code SyncPolicy.ManagedNamespaceMetadata},
     * {@code ManagedNamespaceMetadata.Labels}; {@code docs/user-guide/sync-options.md}, "Namespace Metadata":
     * "otherwise nothing will happen", and a Namespace manifest of the Application overwrites them;
     * {@code controller/sync.go}: the namespace modifier only with {@code CreateNamespace=true};
     * {@code controller/sync_namespace.go}, {@code syncNamespace}: with managedNamespaceMetadata the namespace's
     * labels are applied at every sync, server-side).
     */
    private static void managedNamespaceMetadata(Appliers.Applier applier, String directory, List<Placed> hits) {
        Object options = InjectedSidecars.get(applier.object().object(), "/spec/syncPolicy/syncOptions");
        if (!(options instanceof List<?> list) || list.stream().noneMatch(o -> "CreateNamespace=true".equals(String.valueOf(o).strip()))
                || !(InjectedSidecars.get(applier.object().object(), "/spec/syncPolicy/managedNamespaceMetadata/labels") instanceof Map<?, ?> labels)) {
            return;
        }
        String namespace = Manifest.text(InjectedSidecars.get(applier.object().object(), "/spec/destination/namespace"));
        for (String key : LABELS) {
            if (labels.containsKey(key)) {
                SourcePosition at = applier.object().at("/spec/syncPolicy/managedNamespaceMetadata" + Manifest.label(key).substring("/metadata".length()));
                hits.add(new Placed(directory, new InjectionRules.Hit(Rule.LABEL_SET_BY_APPLIER, at, applier.name() + " sets " + key + "="
                        + Manifest.text(labels.get(key)) + " on namespace '" + namespace + "' through spec.syncPolicy.managedNamespaceMetadata,"
                        + " outside the namespace's manifests, where meshwave's waves relabel it: Argo CD writes it at every sync (unless a"
                        + " Namespace manifest of this Application overrides it), so a wave's relabel is fought or this label is ignored"
                        + " (set " + key + " in the Namespace manifest and remove it here)")));
            }
        }
    }

    /**
     * kustomize-controller writes a Flux Kustomization's {@code spec.patches} into the kustomization it builds
     * from {@code spec.path} (fluxcd/kustomize-controller@v1.9.4 {@code api/v1/kustomization_types.go},
     * {@code Patches []kustomize.Patch}: inline strategic-merge or JSON6902 patches with a {@code target};
     * {@code internal/controller/kustomization_controller.go}, {@code generator.NewGenerator(workDir, obj).WriteFile};
     * {@code docs/spec/v1/kustomizations.md}, "Patches"), so what they set wins over the manifests under the path.
     */
    private static void fluxPatches(Appliers.Applier applier, String directory, List<Placed> hits) {
        if (!(InjectedSidecars.get(applier.object().object(), "/spec/patches") instanceof List<?> patches)) {
            return;
        }
        for (int i = 0; i < patches.size(); i++) {
            if (!(patches.get(i) instanceof Map<?, ?> entry) || !(entry.get("patch") instanceof String patch)) {
                continue;
            }
            Map<?, ?> target = entry.get("target") instanceof Map<?, ?> t ? t : Map.of();
            String pointer = "/spec/patches/" + i + "/patch";
            SourcePosition key = applier.object().at(pointer);
            List<ManifestFile.Document> documents;
            try {
                documents = ManifestFile.documents(key.file(), patch.getBytes(StandardCharsets.UTF_8), RepositoryScan.MAX_FILE_BYTES);
            } catch (ManifestFile.UnreadableException e) {
                continue; // kustomize-controller refuses it; not a label to report
            }
            Optional<int[]> block = literalBlock(applier.text(), key, patch);
            for (ManifestFile.Document document : documents) {
                for (Label label : labels(document.value(), target)) {
                    SourcePosition inner = document.positions().getOrDefault(label.pointer(), document.start());
                    SourcePosition at = block.map(b -> new SourcePosition(key.file(), b[0] + inner.line(), b[1] + inner.column())).orElse(key);
                    hits.add(new Placed(directory, new InjectionRules.Hit(Rule.LABEL_SET_BY_APPLIER, at, applier.name() + " "
                            + (label.value() == null ? "removes " + label.key() : "sets " + label.key() + "=" + label.value()) + " on "
                            + label.namespaces() + " through spec.patches, outside the namespace's manifests, where meshwave's waves"
                            + " relabel it: kustomize-controller applies this patch over what " + applier.sources().get(0).path()
                            + " builds, so a wave's relabel of the Namespace manifest is overridden (set " + label.key()
                            + " in the Namespace manifest and remove it from the patch)")));
                }
            }
        }
    }

    /** An injection label a patch writes: the key, its value (null: removed), which namespaces, and where in the patch. */
    private record Label(String key, String value, String namespaces, String pointer) {}

    /**
     * The injection labels one document of a patch writes on Namespaces: a strategic-merge patch of kind
     * Namespace (or targeting kind Namespace), or a JSON6902 patch targeting kind Namespace whose operations
     * add, replace or remove a label (or {@code /metadata/labels} as a whole).
     */
    private static List<Label> labels(Object document, Map<?, ?> target) {
        List<Label> found = new ArrayList<>();
        String targetKind = Manifest.text(target.get("kind"));
        String targetName = Manifest.text(target.get("name"));
        if (document instanceof Map<?, ?> smp) {
            boolean namespace = targetKind.equals("Namespace") || targetKind.isEmpty() && "Namespace".equals(smp.get("kind"));
            if (namespace && InjectedSidecars.get(smp, "/metadata/labels") instanceof Map<?, ?> labels) {
                String name = !targetName.isEmpty() ? targetName : target.isEmpty() ? Manifest.text(InjectedSidecars.get(smp, "/metadata/name")) : "";
                for (String key : LABELS) {
                    if (labels.containsKey(key)) {
                        found.add(new Label(key, labels.get(key) == null ? null : Manifest.text(labels.get(key)), namespaces(name, target),
                                Manifest.label(key)));
                    }
                }
            }
        } else if (document instanceof List<?> operations && targetKind.equals("Namespace")) {
            for (int i = 0; i < operations.size(); i++) {
                if (!(operations.get(i) instanceof Map<?, ?> op) || !(op.get("path") instanceof String path)) {
                    continue;
                }
                String verb = Manifest.text(op.get("op"));
                for (String key : LABELS) {
                    if (path.equals(Manifest.label(key)) && List.of("add", "replace", "remove").contains(verb)) {
                        found.add(new Label(key, verb.equals("remove") ? null : Manifest.text(op.get("value")), namespaces(targetName, target),
                                "/" + i + "/path"));
                    } else if (path.equals("/metadata/labels") && !verb.equals("remove") && op.get("value") instanceof Map<?, ?> labels
                            && labels.containsKey(key)) {
                        found.add(new Label(key, Manifest.text(labels.get(key)), namespaces(targetName, target),
                                "/" + i + "/value/" + key.replace("~", "~0").replace("/", "~1")));
                    }
                }
            }
        }
        return found;
    }

    private static String namespaces(String name, Map<?, ?> target) {
        if (!name.isEmpty()) {
            return "namespace '" + name + "'";
        }
        String selector = Manifest.text(target.get("labelSelector"));
        return "every Namespace it applies" + (selector.isEmpty() ? "" : " labelled " + selector);
    }

    /**
     * Where the first character of a patch string is in its file, when the string is a literal block
     * ({@code patch: |}) whose lines are the file's lines under the key at one indentation: then line
     * {@code n} of the patch is file line {@code key + n} and column {@code c} is {@code indent + c}. The
     * lines are checked against the parsed string; anything else (quoted, folded, an explicit indentation)
     * has no such mapping and is reported at the key.
     */
    static Optional<int[]> literalBlock(String text, SourcePosition key, String value) {
        List<String> lines = text.lines().toList();
        if (key.line() < 1 || key.line() > lines.size() || key.column() < 1 || key.column() > lines.get(key.line() - 1).length()) {
            return Optional.empty();
        }
        String header = lines.get(key.line() - 1).substring(key.column() - 1);
        if (!header.matches("[\"']?patch[\"']?\\s*:\\s*\\|[-+]?\\s*(#.*)?")) {
            return Optional.empty();
        }
        int indent = -1;
        StringBuilder content = new StringBuilder();
        for (int i = key.line(); i < lines.size(); i++) {
            String line = lines.get(i);
            int leading = line.length() - line.stripLeading().length();
            if (line.isBlank()) {
                content.append('\n');
                continue;
            }
            if (indent < 0) {
                indent = leading;
            }
            if (leading < indent || indent < key.column()) {
                break;
            }
            content.append(line.substring(indent)).append('\n');
        }
        return indent >= 0 && content.toString().strip().equals(value.strip()) ? Optional.of(new int[] {key.line(), indent})
                : Optional.empty();
    }
}
