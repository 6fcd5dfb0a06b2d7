package io.jqi.tensor;

/** The fully connected layer {@code x @ weight^T + bias}, composed from matmul so autograd derives its gradient. */
final class Linear {
    private Linear() {
    }

    static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("linear: expected a weight [out, in] of rank 2 but got shape "
                    + weight.shape());
        }
        int out = weight.shape().dim(0);
        int in = weight.shape().dim(1);
        if (x.rank() < 1 || x.shape().dim(-1) != in) {
            throw new IllegalArgumentException("linear: input " + x.shape() + " must end in the weight's " + in
                    + " input features (weight " + weight.shape() + " is [out, in])");
        }
        if (bias != null && (bias.rank() != 1 || bias.shape().dim(0) != out)) {
            throw new IllegalArgumentException("linear: bias must have shape [" + out + "] (one value per output "
                    + "feature) but has shape " + bias.shape());
        }
        // matmul needs rank 2; a single feature vector goes through as one row.
        Tensor rows = x.rank() == 1 ? x.reshape(1, in) : x;
        Tensor y = rows.matmul(weight.transpose(0, 1));
        if (bias != null) {
            y = y.add(bias);
        }
        return x.rank() == 1 ? y.reshape(out) : y;
    }
}
