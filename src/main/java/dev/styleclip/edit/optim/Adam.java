package dev.styleclip.edit.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.styleclip.nn.Nd;

/**
 * Adam and AdamW for one parameter array, with PyTorch's update rule (single-tensor path): betas (0.9, 0.999), eps 1e-8,
 * bias corrections; AdamW decays the parameter by {@code 1 − lr·wd} first. A step with lr = 0 still advances the moments.
 * The parameter is updated in place; the moments live in the manager given at construction.
 */
public final class Adam {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final NDArray expAvg;
    private final NDArray expAvgSq;
    private int t;

    /** Plain Adam. */
    public Adam(NDArray param, NDManager manager) {
        this(param, manager, 0.9, 0.999, 1e-8, 0);
    }

    /** AdamW with decoupled weight decay {@code wd}. */
    public static Adam adamW(NDArray param, NDManager manager, double weightDecay) {
        return new Adam(param, manager, 0.9, 0.999, 1e-8, weightDecay);
    }

    public Adam(NDArray param, NDManager manager, double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.expAvg = manager.zeros(param.getShape(), param.getDataType());
        this.expAvgSq = manager.zeros(param.getShape(), param.getDataType());
    }

    /** Restores the moments and step count (resuming a checkpoint). */
    public void restore(float[] m, float[] v, int step) {
        expAvg.set(m);
        expAvgSq.set(v);
        t = step;
    }

    /** Applies one update with gradient {@code grad} at learning rate {@code lr}. Temporaries go to {@code tmp}. */
    public void step(NDArray param, NDArray grad, double lr, NDManager tmp) {
        t++;
        // Scalars as torch-owned float64 0-d arrays in tmp (what x.muli(double) makes, without a Java buffer), and
        // every temporary in tmp: nothing accumulates in the moments' (or the parameter's) manager.
        if (weightDecay != 0) param.muli(s(tmp, 1 - lr * weightDecay));
        NDArray g = grad.duplicate();
        g.attach(tmp);
        expAvg.muli(s(tmp, beta1)).addi(g.mul(s(tmp, 1 - beta1)));
        expAvgSq.muli(s(tmp, beta2)).addi(g.mul(g).muli(s(tmp, 1 - beta2)));
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        NDArray denom = expAvgSq.sqrt();
        denom.attach(tmp);
        denom.divi(s(tmp, Math.sqrt(bc2))).addi(s(tmp, eps));
        NDArray update = expAvg.div(denom);
        update.attach(tmp);
        update.muli(s(tmp, lr / bc1));
        param.subi(update);
    }

    private static NDArray s(NDManager tmp, double v) {
        return Nd.scalar(tmp, v, DataType.FLOAT64);
    }

    public NDArray expAvg() {
        return expAvg;
    }

    public NDArray expAvgSq() {
        return expAvgSq;
    }

    public int stepCount() {
        return t;
    }
}
