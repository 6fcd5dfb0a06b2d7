package io.jqi.qat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.data.DataLoader;
import io.jqi.data.TensorDataset;
import io.jqi.nn.Dense;
import io.jqi.nn.GraphModel;
import io.jqi.nn.MlpTrainingTest;
import io.jqi.nn.ReLU;
import io.jqi.nn.Sequential;
import io.jqi.nn.optim.Adam;
import io.jqi.nn.optim.CosineAnnealingLR;
import io.jqi.nn.optim.Optimizer;
import io.jqi.ptq.Ptq;
import io.jqi.ptq.PtqConfig;
import io.jqi.ptq.RepresentativeData;
import io.jqi.ptq.TargetPlatform;
import io.jqi.quant.TrainingMethod;
import io.jqi.quant.inferable.InferableQuantizer;
import io.jqi.quant.wrap.QuantizationWrapper;
import io.jqi.tensor.Tensor;
import io.jqi.train.EarlyStopping;
import io.jqi.train.History;
import io.jqi.train.Trainer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The README's PTQ and QAT snippet, verbatim between the training steps it leaves to the reader. */
class ReadmeQatExampleTest {

    @Test
    void theReadmeSnippetQuantizesTrainsAndFinalizes() {
        TensorDataset train = MlpTrainingTest.spirals(600, 1);
        TensorDataset test = MlpTrainingTest.spirals(200, 2);

        Random random = new Random(7);
        Sequential model = new Sequential(new Dense(2, 64, true, random), new ReLU(), new Dense(64, 3, true, random));
        DataLoader loader = new DataLoader(train, 64, true, 1, false);   // batches of 64, shuffled with seed 1
        Optimizer floatOptimizer = new Adam(model.parameters(), 0.01);
        Trainer.builder(model, floatOptimizer)
                .schedule(new CosineAnnealingLR(floatOptimizer, 10, 0))
                .callbacks(new EarlyStopping(3, 0.001))
                .build()
                .fit(loader, test, 10);                                   // 10 epochs, evaluated on test after each
        List<Tensor> calibration = RepresentativeData.of(loader, 8);      // a few batches of typical inputs
        TargetPlatform platform = TargetPlatform.defaultPlatform();       // int8 per-channel kernels, int8 POT activations

        GraphModel ptq = Ptq.quantize(model, calibration, platform, PtqConfig.defaults());

        QatConfig config = QatConfig.builder()
                .weights(w -> w.training(TrainingMethod.LSQ).symmetric(4))   // 4-bit LSQ kernels
                .activations(a -> a.training(TrainingMethod.LSQ))
                .layer("2", l -> l.weights(w -> w.symmetric(8)))             // the classifier stays 8-bit
                .build();
        GraphModel qat = Qat.init(model, calibration, config, platform);   // starts where PTQ ends
        Optimizer optimizer = new Adam(qat.parameters(), 0.002);           // float weights and quantizer thresholds
        History history = Trainer.builder(qat, optimizer).build().fit(loader, test, 2);   // QAT trains like any model
        Qat.finalize(qat);                                                 // inferable quantizers, same outputs

        assertTrue(ptq.node("2") instanceof QuantizationWrapper, "PTQ wraps the classifier");
        assertTrue(history.lastValidation().orElseThrow().accuracy() > 0.8, "QAT accuracy " + history);
        assertEquals(4, kernelBits(qat, "0"));
        assertEquals(8, kernelBits(qat, "2"));
    }

    private static int kernelBits(GraphModel model, String node) {
        var wrapper = (QuantizationWrapper) model.node(node);
        return ((InferableQuantizer) wrapper.weightQuantizers().get("weight")).numBits();
    }
}
