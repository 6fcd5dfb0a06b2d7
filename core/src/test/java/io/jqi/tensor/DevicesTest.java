package io.jqi.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.nn.Dense;
import io.jqi.nn.Module;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Device handling that needs no second device. The test resources register a Backend provider class that does not
 * exist (META-INF/services/io.jqi.tensor.Backend), so every core test also shows that a broken provider leaves the
 * CPU backend working.
 */
class DevicesTest {

    @Test
    void aBrokenBackendProviderIsNamedWhenItsDeviceIsAskedFor() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.of(Device.CUDA));
        assertTrue(e.getMessage().contains("NoSuchBackendForTests"), e::getMessage);
        assertSame(CpuBackend.INSTANCE, Backends.of(Device.CPU));
    }

    @Test
    void movingToTheDeviceATensorIsOnReturnsTheTensorItself() {
        Tensor t = Tensor.vector(1f, 2f).requiresGrad(true);
        assertSame(t, t.to(Device.CPU));
    }

    @Test
    void onlyLeavesMoveInPlace() {
        Tensor t = Tensor.vector(1f, 2f).requiresGrad(true).mul(2f);
        assertThrows(IllegalStateException.class, () -> t.moveTo(Device.CPU));
    }

    @Test
    void movingAModuleToItsDeviceKeepsEveryTensor() {
        Module m = new Dense(3, 2, true, new Random(1));
        Tensor weight = m.parameters().get(0);
        float[] before = weight.toFloatArray();
        assertSame(m, m.to(Device.CPU));
        assertSame(weight, m.parameters().get(0));
        assertEquals(Device.CPU, weight.device());
        assertEquals(before.length, weight.toFloatArray().length);
    }

    @Test
    void movingToAMissingDeviceSaysWhichBackendIsMissing() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Tensor.vector(1f).to(Device.CUDA));
        assertTrue(e.getMessage().contains("No backend for CUDA"), e::getMessage);
    }
}
