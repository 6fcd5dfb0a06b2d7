package io.jqi.spark;

import io.jqi.json.QatConfigJson;
import io.jqi.json.TargetPlatformJson;
import io.jqi.modelfile.ModelFile;
import io.jqi.nn.Module;
import io.jqi.ptq.Ptq;
import io.jqi.ptq.PtqSummaries;
import io.jqi.qat.Qat;
import io.jqi.qat.QatConfig;
import io.jqi.quant.registry.QuantizerRegistry;
import java.io.Serializable;

/**
 * How every worker, and the driver, builds the same model to train: the float model from the bytes of its model file
 * and, for QAT, {@code Qat.init} from the PTQ summaries of the representative data (the plan {@link SparkPtq} folds),
 * so that every copy starts from the same bits.
 */
final class Replica implements Serializable {
    private static final long serialVersionUID = 1L;

    private final byte[] floatModel;
    private final String config;
    private final String platform;
    private final PtqSummaries summaries;

    private Replica(byte[] floatModel, String config, String platform, PtqSummaries summaries) {
        this.floatModel = floatModel;
        this.config = config;
        this.platform = platform;
        this.summaries = summaries;
    }

    /** The float model itself. */
    static Replica floatModel(Module model) {
        return new Replica(ModelFile.toBytes(model), null, null, null);
    }

    /** The QAT model {@code Qat.init} makes from {@code model} and the summaries of its representative data. */
    static Replica qat(Module model, QatConfig config, String platformJson, PtqSummaries summaries) {
        return new Replica(ModelFile.toBytes(model), QatConfigJson.write(config), platformJson, summaries);
    }

    /** A copy of the float model: the replica of float training, QAT's starting point and distillation's teacher. */
    Module floatCopy() {
        return ModelFile.fromBytes(floatModel).getModel();
    }

    /** The model to train: the float model, or for QAT the model {@code Qat.init} makes from it. */
    Module build() {
        Module model = floatCopy();
        if (config == null) {
            return model;
        }
        QatConfig qat = QatConfigJson.read(config);
        return Qat.init(Ptq.fromSummaries(model, summaries, TargetPlatformJson.read(platform), qat.ptq(), qat), qat,
                QuantizerRegistry.global());
    }
}
