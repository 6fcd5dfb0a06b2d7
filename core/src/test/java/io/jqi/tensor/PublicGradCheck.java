package io.jqi.tensor;

import java.util.function.Function;

/** Opens the package-private {@link GradCheck} to the tests of other packages (layers, models). */
public final class PublicGradCheck {
    private PublicGradCheck() {
    }

    /** See {@link GradCheck#check}: every input's autograd gradient against central finite differences. */
    public static void check(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.check(name, f, inputs);
    }
}
