package dev.meshwave.render;

import dev.meshwave.plan.Plan;
import java.util.ArrayList;
import java.util.List;

/**
 * One way of delivering a phase's control plane to a cluster, as the renderer, the admission check and the
 * runbook see it: the files it writes, what it adds to its control-plane stage, the injector its revision
 * brings, the commands that show it arrived, and its own template directory. {@link #of} is the one place
 * that chooses a method for a plan's {@link dev.meshwave.plan.Delivery}; {@link ControlPlane} is the
 * script (asmcli, install_asm, istioctl) method.
 */
interface DeliveryMethod {

    /** The control plane of each phase of a plan, for one cluster. */
    static List<DeliveryMethod> of(Plan plan, Plan.Cluster cluster) {
        List<DeliveryMethod> list = new ArrayList<>();
        for (int phase = 0; phase < plan.phases().size(); phase++) {
            list.add(of(plan, cluster, phase));
        }
        return list;
    }

    /** The control plane one phase of a plan installs on a cluster. */
    static DeliveryMethod of(Plan plan, Plan.Cluster cluster, int phase) {
        Plan phasePlan = plan.phases().get(phase);
        String directory = directory(plan, phase);
        return phasePlan.to().delivery().match(
                script -> new ControlPlane(phasePlan, cluster, directory, script));
    }

    /** {@code control-plane/}, or with several phases {@code control-plane/<revision of the phase>/}. */
    static String directory(Plan plan, int phase) {
        List<Plan> phases = plan.phases();
        return phases.size() == 1 ? "control-plane" : "control-plane/" + phases.get(phase).to().revision();
    }

    /** The directory of {@code templates/} this method's templates are in, with a trailing slash. */
    String templateDirectory();

    /** Where the files go in the cluster directory: {@code control-plane}, or one directory per phase. */
    String directory();

    /** The revision this control plane installs. */
    String revision();

    /** The names of the files {@link #render} writes in {@link #directory()}, in order. */
    List<String> fileNames();

    /** Writes this phase's control-plane files. */
    void render(Renderer.Output out, TemplateContext common) throws TemplateException;

    /**
     * What the control-plane stage applies of this method, as paths from the stage directory, after the
     * stage's own resources. Nothing for a script, which a person runs before the stage goes live.
     */
    List<String> stageResources(String stageDirectory);

    /** The MutatingWebhookConfiguration of the revision's own injector, as the cluster will have it. */
    String injector(Injectors injectors) throws TemplateException;

    /** Commands that show this control plane is installed, for its stage's runbook. */
    List<String> verify();
}
