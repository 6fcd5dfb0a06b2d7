package io.jqi.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.data.DataLoader;
import io.jqi.nn.Dense;
import io.jqi.nn.MlpTrainingTest;
import io.jqi.nn.Module;
import io.jqi.nn.ReLU;
import io.jqi.nn.Sequential;
import io.jqi.nn.optim.Adam;
import io.jqi.tensor.Losses;
import io.jqi.tensor.PublicGradCheck;
import io.jqi.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Knowledge distillation: the soft loss against PyTorch's, its gradient, and the trainer's use of it. */
class DistillationTest {
    private static Module mlp(long seed) {
        Random random = new Random(seed);
        return new Sequential(new Dense(2, 32, true, random), new ReLU(), new Dense(32, 3, true, random));
    }

    private static DataLoader loader() {
        return new DataLoader(MlpTrainingTest.spirals(100, 1), 32, true, 4, false);
    }

    private static float[] parametersAfterOneEpoch(Module model, Distillation distillation) {
        Trainer.builder(model, new Adam(model.parameters(), 0.01)).distillation(distillation).build()
                .fit(loader(), null, 1);
        return model.parameters().get(0).toFloatArray();
    }

    /**
     * PyTorch 1.13 in double precision: {@code kl_div(log_softmax(s / 2, 1), softmax(t / 2, 1),
     * reduction="batchmean") * 4} and its gradient with respect to {@code s}.
     */
    @Test
    void theSoftLossAndItsGradientAreThoseOfPyTorchsKlDivergence() {
        Tensor student = Tensor.of(new float[] {1f, -2f, 0.5f, 0.3f, 0.2f, -1f}, 2, 3).requiresGrad(true);
        Tensor teacher = Tensor.of(new float[] {2f, -1f, 0f, -0.5f, 1.5f, 0.25f}, 2, 3);

        Tensor loss = Losses.distillation(student, teacher, 2f);
        loss.backward();

        assertEquals(0.3167311358095364, loss.item(), 1e-6);
        assertArrayEquals(new float[] {-0.12901399f, -0.02878691f, 0.1578009f, 0.21102096f, -0.14084403f,
            -0.07017693f}, student.grad().toFloatArray(), 1e-6f);
    }

    @Test
    void theSoftLossGradientMatchesFiniteDifferences() {
        Random random = new Random(3);
        Tensor teacher = Tensor.randn(random, 4, 5).mul(3f);
        PublicGradCheck.check("distillation", x -> Losses.distillation(x[0], teacher, 3f),
                Tensor.randn(random, 4, 5).requiresGrad(true));
    }

    @Test
    void aStudentThatMatchesItsTeacherHasNoSoftLossAndNoGradient() {
        Tensor logits = Tensor.of(new float[] {4f, -1f, 0.5f, 2f, 2f, -3f}, 2, 3);
        Tensor student = Tensor.of(logits.toFloatArray(), 2, 3).requiresGrad(true);

        Tensor loss = Losses.distillation(student, logits, 4f);
        loss.backward();

        assertEquals(0.0, loss.item(), 1e-6);
        assertArrayEquals(new float[6], student.grad().toFloatArray(), 1e-7f);
    }

    @Test
    void noGradientFlowsIntoTheTeachersLogits() {
        Tensor teacher = Tensor.randn(new Random(4), 3, 4).requiresGrad(true);
        Losses.distillation(Tensor.randn(new Random(5), 3, 4).requiresGrad(true), teacher, 2f).backward();
        assertEquals(null, teacher.grad());
    }

    @Test
    void weightZeroTrainsExactlyAsPlainCrossEntropy() {
        float[] plain = parametersAfterOneEpoch(mlp(1), null);
        float[] distilledAtZero = parametersAfterOneEpoch(mlp(1), new Distillation(mlp(9), 4f, 0f));
        float[] distilled = parametersAfterOneEpoch(mlp(1), new Distillation(mlp(9), 4f, 0.5f));

        assertArrayEquals(plain, distilledAtZero, 0f);
        assertFalse(Arrays.equals(plain, distilled), "a teacher with weight 0.5 changes the steps");
    }

    @Test
    void theTeacherIsNeitherTrainedNorLeftInTrainingMode() {
        Module teacher = mlp(9);
        float[] before = teacher.parameters().get(0).toFloatArray();

        parametersAfterOneEpoch(mlp(1), new Distillation(teacher, 4f, 1f));

        assertArrayEquals(before, teacher.parameters().get(0).toFloatArray(), 0f);
        assertFalse(teacher.isTraining(), "the teacher runs in evaluation mode");
    }

    @Test
    void aTeacherSharingParametersWithTheModelIsRefused() {
        Module model = mlp(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(model,
                new Adam(model.parameters(), 0.01)).distillation(new Distillation(model, 4f, 0.5f)).build());
        assertTrue(e.getMessage().contains("shares parameters"), e.getMessage());
    }

    @Test
    void settingsOutsideTheirRangesAreRefusedWithWhatIsAllowed() {
        Module teacher = mlp(1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Distillation(teacher, 0f, 0.5f))
                .getMessage().contains("above 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Distillation(teacher, Float.NaN, 0.5f))
                .getMessage().contains("above 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Distillation(teacher, 4f, 1.5f))
                .getMessage().contains("[0, 1]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Losses.distillation(Tensor.zeros(2, 3),
                Tensor.zeros(2, 4), 2f)).getMessage().contains("distillation teacher logits"));
    }
}
