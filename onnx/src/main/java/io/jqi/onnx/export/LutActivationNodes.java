package io.jqi.onnx.export;

import io.jqi.grid.LutGrid;
import io.jqi.onnx.proto.OnnxAttribute;
import java.util.List;

/**
 * An activation look-up table ({@link LutGrid}, one threshold) as ordinary ONNX ops, which compute the grid's float32
 * steps in its order: {@code v = Clip(x / (T + eps) * M, lo, hi)}, the index of the nearest level by {@code ArgMin}
 * of {@code |v - level|} (its {@code select_last_index = 0} keeps the first of equal distances, jqi's tie rule), then
 * {@code Gather} from the table {@code level / M * T}, computed here with jqi's expression. Every step rounds once
 * in float32 as jqi's does, so the output is jqi's bit for bit; NaN inputs are the exception (ArgMin has no NaN
 * rule; jqi keeps NaN).
 */
final class LutActivationNodes {
    private LutActivationNodes() {
    }

    /** The ops computing {@code grid} on {@code x}; returns the output's name. */
    static String write(GraphWriter g, String x, LutGrid grid, String hint) {
        float threshold = grid.thresholds()[0];
        float multiplier = grid.multiplier();
        float lo = grid.lo();
        float hi = grid.hi();
        float[] levels = grid.levels();
        float[] table = new float[levels.length];
        for (int j = 0; j < levels.length; j++) {
            table[j] = levels[j] / multiplier * threshold;
        }
        long[] scalar = new long[0];
        String divisor = g.floats(hint + "_divisor", scalar, new float[] {threshold + grid.eps()});
        String m = g.floats(hint + "_multiplier", scalar, new float[] {multiplier});
        String low = g.floats(hint + "_lo", scalar, new float[] {lo});
        String high = g.floats(hint + "_hi", scalar, new float[] {hi});
        String levelTensor = g.floats(hint + "_levels", new long[] {levels.length}, levels);
        String tableTensor = g.floats(hint + "_table", new long[] {levels.length}, table);
        String lastAxis = g.longs(hint + "_last_axis", new long[] {1}, new long[] {-1});

        String divided = g.node("Div", hint + "_divided", List.of(x, divisor));
        String scaled = g.node("Mul", hint + "_scaled", List.of(divided, m));
        String clipped = g.node("Clip", hint + "_clipped", List.of(scaled, low, high));
        String expanded = g.node("Unsqueeze", hint + "_expanded", List.of(clipped, lastAxis));
        String difference = g.node("Sub", hint + "_difference", List.of(expanded, levelTensor));
        String distance = g.node("Abs", hint + "_distance", List.of(difference));
        String index = g.node("ArgMin", hint + "_index", List.of(distance), OnnxAttribute.ofInt("axis", -1),
                OnnxAttribute.ofInt("keepdims", 0), OnnxAttribute.ofInt("select_last_index", 0));
        return g.node("Gather", hint, List.of(tableTensor, index), OnnxAttribute.ofInt("axis", 0));
    }
}
