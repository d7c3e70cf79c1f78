package dev.styleclip.model.stylegan3;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.nn.Nd;
import dev.styleclip.nn.Scope;

/**
 * The mapping network: z [N, z_dim] → ws [N, num_ws, w_dim]. z is normalised to unit second moment, passed through the
 * fully connected layers (leaky ReLU 0.2, gain √2; weights and biases scaled by the learning-rate multiplier as the
 * reference's equalised learning rate does), broadcast to every ws row and optionally truncated toward the tracked
 * average w.
 */
final class MappingNetwork {
    private final DataType dtype;
    private final int zDim, wDim, numWs;
    private final NDArray[] weightT;
    private final NDArray[] bias;
    private final float[] wAvgValues;
    private final NDArray wAvg;

    MappingNetwork(ParamReader p, StyleGan3Config config) throws ModelFileException {
        this.dtype = p.dtype;
        int n = config.mappingLayers;
        weightT = new NDArray[n];
        bias = new NDArray[n];
        for (int i = 0; i < n; i++) {
            String fc = "mapping.fc" + i;
            double gain = config.mappingLrMultiplier / Math.sqrt(p.tensor(fc + ".weight").shape()[1]);
            weightT[i] = p.transposedScaled(fc + ".weight", gain);
            bias[i] = p.scaled(fc + ".bias", config.mappingLrMultiplier);
        }
        this.zDim = (int) p.tensor("mapping.fc0.weight").shape()[1];
        this.wDim = (int) p.tensor("mapping.w_avg").shape()[0];
        this.numWs = config.numWs;
        this.wAvgValues = p.tensor("mapping.w_avg").toFloatArray();
        this.wAvg = p.constant(wAvgValues, new Shape(wAvgValues.length));
    }

    int zDim() {
        return zDim;
    }

    int wDim() {
        return wDim;
    }

    float[] wAvgValues() {
        return wAvgValues.clone();
    }

    /** The tracked average w in {@code m}, in the network's precision. */
    NDArray wAvg(NDManager m) {
        return Nd.constant(m, wAvgValues, new Shape(wAvgValues.length), dtype);
    }

    /** z → ws with truncation by {@code psi} on the first {@code cutoff} rows (null = all); the result in z's manager. */
    NDArray forward(NDArray z, double psi, Integer cutoff) {
        return Scope.call(z, in -> compute(in, psi, cutoff));
    }

    private NDArray compute(NDArray z, double psi, Integer cutoff) {
        if (z.getShape().dimension() != 2 || z.getShape().get(1) != zDim) {
            throw new IllegalArgumentException("z must be [N, " + zDim + "], got " + z.getShape());
        }
        NDArray x = z.toType(dtype, false);
        x = x.mul(Nd.pow(Nd.addLike(x.square().mean(new int[]{1}, true), 1e-8), -0.5));
        for (int i = 0; i < weightT.length; i++) {
            x = Nd.mulLike(Nd.leakyRelu(x.matMul(weightT[i]).add(bias[i]), 0.2), Math.sqrt(2));
        }
        long n = x.getShape().get(0);
        int cut = cutoff == null ? numWs : Math.max(0, Math.min(numWs, cutoff));
        NDArray rows = x.expandDims(1);
        if (psi == 1 || cut == 0) return rows.repeat(1, numWs);
        NDArray diff = x.sub(wAvg);
        NDArray t;
        if (dtype == DataType.FLOAT64) {
            // torch.lerp(w_avg, x, psi) in float64
            t = Math.abs(psi) < 0.5 ? Nd.mulLike(diff, psi).add(wAvg) : x.sub(Nd.mulLike(diff, 1 - psi));
        } else {
            float wf = (float) psi;
            t = Math.abs(wf) < 0.5f ? Nd.mul(diff, wf).add(wAvg) : x.sub(Nd.mul(diff, 1f - wf));
        }
        NDArray tr = t.expandDims(1).repeat(1, cut);
        if (cut == numWs) return tr;
        return tr.concat(rows.repeat(1, numWs - cut), 1).reshape(n, numWs, wDim);
    }
}
