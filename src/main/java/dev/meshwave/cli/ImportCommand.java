package dev.meshwave.cli;

import dev.meshwave.lint.RepositoryObjects;
import dev.meshwave.output.AtomicFiles;
import dev.meshwave.output.UnsafeOutputException;
import dev.meshwave.plan.InstalledAmbient;
import dev.meshwave.plan.InstalledMesh;
import dev.meshwave.plan.Inventory;
import dev.meshwave.plan.InvalidPlanException;
import dev.meshwave.plan.Manifest;
import dev.meshwave.plan.PlanImport;
import dev.meshwave.plan.PlanLoader;
import dev.meshwave.plan.PlanSchema;
import dev.meshwave.plan.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Write a first plan (to stdout, or to a new file with --out) from what a cluster runs today.",
            "Reads the output of kubectl get ns -o yaml, or a GitOps repository (--repository) that installs istiod, and optionally of kubectl get deploy,sts,ds -A -o yaml and"
                    + " kubectl get mutatingwebhookconfigurations -o yaml. Namespaces it cannot plan are listed on stderr."
                    + " See docs/import.md in the meshwave repository."})
final class ImportCommand implements Callable<Integer> {

    /** The plan's fields that come straight from one flag. */
    private static final Map<String, String> FLAGS = Map.of("spec.to.version", "--to-version", "spec.to.revision", "--to-revision",
            "metadata.name", "--name", "spec.clusters[0].name", "--cluster", "spec.clusters[0].path", "--path");

    @Spec
    CommandSpec spec;

    @Option(names = "--namespaces", paramLabel = "FILE",
            description = "kubectl get ns -o yaml (required without --repository; with it, the Namespaces the repository applies are read)")
    Path namespaces;

    @Option(names = "--repository", paramLabel = "DIR",
            description = "A GitOps repository (or a directory of it) that installs istiod: today's revision, version, delivery and cluster facts")
    Path repository;

    @Option(names = "--deployments", paramLabel = "FILE", description = "kubectl get deploy,sts,ds -A -o yaml (workload counts, gateways)")
    Path deployments;

    @Option(names = "--webhooks", paramLabel = "FILE", description = "kubectl get mutatingwebhookconfigurations -o yaml (revisions and tags served)")
    Path webhooks;

    @Option(names = "--to-version", required = true, paramLabel = "VERSION", description = "The version to upgrade to, e.g. 1.23.3-asm.2")
    String toVersion;

    @Option(names = "--to-revision", paramLabel = "REVISION", description = "The new revision (default: derived from the version)")
    String toRevision;

    @Option(names = "--cluster", defaultValue = "cluster", paramLabel = "NAME", description = "Cluster name (default: ${DEFAULT-VALUE})")
    String cluster;

    @Option(names = "--path", paramLabel = "PATH", description = "Cluster path in the GitOps repository (default: clusters/<cluster>/mesh)")
    String path;

    @Option(names = "--waves", defaultValue = "2", paramLabel = "N",
            description = "Waves after the first (gateways and smallest namespaces), split by workload count (default: ${DEFAULT-VALUE})")
    int waves;

    @Option(names = "--name", defaultValue = "mesh-upgrade", paramLabel = "NAME", description = "metadata.name of the plan (default: ${DEFAULT-VALUE})")
    String name;

    @Option(names = "--out", paramLabel = "PLAN",
            description = "Write the plan to this new file instead of stdout and, with --repository, today's istiod chart values to"
                    + " <PLAN name>-values.yaml beside it (the plan's to.helm.values or to.sail.values). An existing file is never"
                    + " replaced (exit 3)")
    Path planFile;

    @Override
    public Integer call() throws InvalidPlanException, IOException, UnsafeOutputException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (namespaces == null && repository == null) {
            err.println("meshwave: import needs --namespaces FILE (kubectl get ns -o yaml), --repository DIR, or both");
            return ExitCodes.USAGE;
        }
        List<Manifest> workloads = deployments == null ? List.of() : Inventory.read(deployments);
        Optional<List<Manifest>> injectors = webhooks == null ? Optional.empty() : Optional.of(Inventory.read(webhooks));
        Optional<String> valuesFile = Optional.ofNullable(planFile).map(ImportCommand::valuesFileName);
        PlanImport.Request request = new PlanImport.Request(name, toVersion, Optional.ofNullable(toRevision), cluster,
                path == null ? "clusters/" + cluster + "/mesh" : path, waves, valuesFile);
        List<Manifest> namespaceObjects = namespaces == null ? List.of() : Inventory.read(namespaces);
        PlanImport.Sources sources = new PlanImport.Sources(namespaces == null ? "" : namespaces.toString(), Optional.empty());
        if (repository != null) {
            RepositoryObjects read = RepositoryObjects.read(repository);
            read.notRead().forEach(p -> err.println(dev.meshwave.plan.TerminalText.escape(p.toString())));
            String shown = repository.toString().replace('\\', '/');
            sources = new PlanImport.Sources(namespaces == null ? shown : namespaces.toString(),
                    Optional.of(InstalledMesh.find(shown, read.objects(), toVersion, Optional.ofNullable(toRevision))),
                    InstalledAmbient.read(read.objects()));
            if (namespaces == null) {
                namespaceObjects = repositoryNamespaces(read.objects());
            }
        }
        PlanImport.Result result = PlanImport.build(request, sources, namespaceObjects, workloads, injectors);
        byte[] planBytes = result.planText().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Optional<byte[]> valuesBytes = result.valuesText().map(t -> t.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        // The plan is checked like any other before it is printed or written, with the values file it names: import never
        // hands out a plan validate refuses.
        try {
            PlanLoader loader = new PlanLoader(PlanSchema.load());
            if (planFile == null) {
                loader.load("(imported plan)", planBytes);
            } else {
                loader.load(planFile, planBytes, valuesBytes.map(v -> Map.of(valuesFile.orElseThrow(), v)).orElse(Map.of()));
            }
        } catch (InvalidPlanException e) {
            List<Problem> errors = e.problems().stream().filter(Problem::isError).toList();
            // A field one flag set is that flag's error, in validate's words: "--to-version: '1.23' is not valid; expected …".
            if (!errors.isEmpty() && errors.stream().allMatch(p -> FLAGS.containsKey(p.yamlPath()))) {
                errors.forEach(p -> err.println("meshwave: " + FLAGS.get(p.yamlPath()) + ": " + dev.meshwave.plan.TerminalText.escape(p.message())));
                return ExitCodes.USAGE;
            }
            // A problem in the values file is one of today's values the new revision's chart refuses, not a flag's.
            String valuesLabel = valuesFile.map(v -> planFile.resolveSibling(v).toString()).orElse("");
            String owner = sources.mesh().map(dev.meshwave.plan.InstalledMesh::installedBy).orElse("");
            throw new InvalidPlanException(e.problems().stream().map(p -> Problem.error(p.position(), p.yamlPath(),
                    p.position().file().equals(valuesLabel)
                            ? "today's chart values of " + owner + ", which import would write here, would be invalid: " + p.message()
                                    + "; nothing is written (change the value in the repository, or import without --out and"
                                    + " write the values file yourself)"
                            : "the imported plan would be invalid (check the flags): " + p.message())).toList());
        }
        result.problems().forEach(p -> err.println(dev.meshwave.plan.TerminalText.escape(p.toString())));
        if (planFile == null) {
            out.print(result.planText());
            return ExitCodes.OK;
        }
        // The values file first: a plan never names a file that is not there.
        java.util.LinkedHashMap<Path, byte[]> files = new java.util.LinkedHashMap<>();
        valuesBytes.ifPresent(v -> files.put(planFile.resolveSibling(valuesFile.orElseThrow()), v));
        files.put(planFile, planBytes);
        AtomicFiles.createNew(files);
        out.println(dev.meshwave.plan.TerminalText.escape("wrote " + planFile + (valuesBytes.isEmpty() ? "" : " and, with today's"
                + " chart values (to." + result.valuesField().orElseThrow() + ".values), " + planFile.resolveSibling(valuesFile.orElseThrow()))));
        return ExitCodes.OK;
    }

    /** {@code plan.yaml} → {@code plan-values.yaml}: the values file's name, beside the plan. */
    static String valuesFileName(Path plan) {
        String name = plan.getFileName() == null ? "plan" : plan.getFileName().toString();
        String stem = name.replaceFirst("\\.(ya?ml)$", "");
        return (stem.isEmpty() ? "plan" : stem) + "-values.yaml";
    }

    /** The Namespaces a repository applies, once each: a base and its overlays both write them, and the first file in path order wins. */
    private static List<Manifest> repositoryNamespaces(List<Manifest> objects) {
        Map<String, Manifest> byName = new java.util.LinkedHashMap<>();
        objects.stream().filter(o -> o.kind().equals("Namespace") && !o.name().isEmpty()).forEach(o -> byName.putIfAbsent(o.name(), o));
        return List.copyOf(byName.values());
    }
}
