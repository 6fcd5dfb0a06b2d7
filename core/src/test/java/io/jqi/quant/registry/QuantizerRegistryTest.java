package io.jqi.quant.registry;

import static io.jqi.quant.QuantizationMethod.LUT_POT;
import static io.jqi.quant.QuantizationMethod.LUT_SYMMETRIC;
import static io.jqi.quant.QuantizationMethod.POWER_OF_TWO;
import static io.jqi.quant.QuantizationMethod.SYMMETRIC;
import static io.jqi.quant.QuantizationMethod.UNIFORM;
import static io.jqi.quant.QuantizationTarget.ACTIVATION;
import static io.jqi.quant.QuantizationTarget.WEIGHTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqi.quant.MarkQuantizer;
import io.jqi.quant.QuantizerId;
import io.jqi.quant.inferable.ActivationLutPOTInferableQuantizer;
import io.jqi.quant.inferable.ActivationPOTInferableQuantizer;
import io.jqi.quant.inferable.ActivationSymmetricInferableQuantizer;
import io.jqi.quant.inferable.ActivationUniformInferableQuantizer;
import io.jqi.quant.inferable.InferableQuantizers;
import io.jqi.quant.inferable.WeightsLUTPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsLUTSymmetricInferableQuantizer;
import io.jqi.quant.inferable.WeightsPOTInferableQuantizer;
import io.jqi.quant.inferable.WeightsSymmetricInferableQuantizer;
import io.jqi.quant.inferable.WeightsUniformInferableQuantizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuantizerRegistryTest {

    @MarkQuantizer(target = WEIGHTS, methods = SYMMETRIC, identifier = "DUP")
    static final class FirstDuplicate {
    }

    @MarkQuantizer(target = WEIGHTS, methods = {SYMMETRIC, UNIFORM}, identifier = "DUP")
    static final class SecondDuplicate {
    }

    static final class NotAnnotated {
    }

    @MarkQuantizer(target = WEIGHTS, methods = SYMMETRIC, identifier = "ABS")
    abstract static class AbstractQuantizer {
    }

    @MarkQuantizer(target = WEIGHTS, methods = SYMMETRIC, identifier = QuantizerId.INFERABLE)
    static final class ClaimsInferable {
    }

    @MarkQuantizer(target = WEIGHTS, methods = {}, identifier = "NONE")
    static final class NoMethods {
    }

    @MarkQuantizer(target = WEIGHTS, methods = SYMMETRIC, identifier = " ")
    static final class BlankIdentifier {
    }

    @Test
    void globalRegistryFindsEachBuiltInInferableQuantizer() {
        QuantizerRegistry r = QuantizerRegistry.global();
        assertEquals(WeightsPOTInferableQuantizer.class, r.inferableQuantizerClass(WEIGHTS, POWER_OF_TWO));
        assertEquals(WeightsSymmetricInferableQuantizer.class, r.inferableQuantizerClass(WEIGHTS, SYMMETRIC));
        assertEquals(WeightsUniformInferableQuantizer.class, r.inferableQuantizerClass(WEIGHTS, UNIFORM));
        assertEquals(WeightsLUTSymmetricInferableQuantizer.class, r.inferableQuantizerClass(WEIGHTS, LUT_SYMMETRIC));
        assertEquals(WeightsLUTPOTInferableQuantizer.class, r.inferableQuantizerClass(WEIGHTS, LUT_POT));
        assertEquals(ActivationPOTInferableQuantizer.class, r.inferableQuantizerClass(ACTIVATION, POWER_OF_TWO));
        assertEquals(ActivationSymmetricInferableQuantizer.class, r.inferableQuantizerClass(ACTIVATION, SYMMETRIC));
        assertEquals(ActivationUniformInferableQuantizer.class, r.inferableQuantizerClass(ACTIVATION, UNIFORM));
        assertEquals(ActivationLutPOTInferableQuantizer.class, r.inferableQuantizerClass(ACTIVATION, LUT_POT));
    }

    @Test
    void thereIsNoActivationLutSymmetricQuantizer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizerRegistry.global().inferableQuantizerClass(ACTIVATION, LUT_SYMMETRIC));
        assertTrue(e.getMessage().startsWith("No quantizer is registered for target ACTIVATION, identifier "
                + "'inferable_quantizer_id' and method LUT_SYMMETRIC"), e.getMessage());
        assertTrue(e.getMessage().contains(ActivationLutPOTInferableQuantizer.class.getName()), e.getMessage());
    }

    @Test
    void userIdentifierFromServiceLoaderIsFoundLikeABuiltIn() {
        QuantizerRegistry r = QuantizerRegistry.global();
        assertEquals(UserQuantizers.HmqWeightsQuantizer.class, r.trainableQuantizerClass(WEIGHTS, "HMQ", SYMMETRIC));
        assertEquals(UserQuantizers.HmqWeightsQuantizer.class,
                r.trainableQuantizerClass(WEIGHTS, "HMQ", POWER_OF_TWO));
        assertEquals(UserQuantizers.HmqActivationQuantizer.class,
                r.trainableQuantizerClass(ACTIVATION, "HMQ", UNIFORM));
        assertTrue(r.identifiers().contains("HMQ"));
    }

    @Test
    void explicitRegistrationMakesAClassFindable() {
        QuantizerRegistry r = new QuantizerRegistry().register(FirstDuplicate.class);
        assertEquals(FirstDuplicate.class, r.trainableQuantizerClass(WEIGHTS, "DUP", SYMMETRIC));
    }

    @Test
    void registeringTheSameClassTwiceIsHarmless() {
        QuantizerRegistry r = new QuantizerRegistry().register(FirstDuplicate.class).register(FirstDuplicate.class);
        assertEquals(List.of(FirstDuplicate.class), r.registeredClasses());
        assertEquals(FirstDuplicate.class, r.trainableQuantizerClass(WEIGHTS, "DUP", SYMMETRIC));
    }

    @Test
    void twoMatchesAreAnErrorNamingBoth() {
        QuantizerRegistry r = new QuantizerRegistry().register(FirstDuplicate.class).register(SecondDuplicate.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.trainableQuantizerClass(WEIGHTS, "DUP", SYMMETRIC));
        assertTrue(e.getMessage().startsWith("Found 2 quantizers for target WEIGHTS, identifier 'DUP' and method "
                + "SYMMETRIC but there should be exactly one"), e.getMessage());
        assertTrue(e.getMessage().contains(FirstDuplicate.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains(SecondDuplicate.class.getName()), e.getMessage());
        assertEquals(SecondDuplicate.class, r.trainableQuantizerClass(WEIGHTS, "DUP", UNIFORM));
    }

    @Test
    void noMatchListsWhatTheIdentifierHasAndHowToRegister() {
        QuantizerRegistry r = new QuantizerRegistry().register(FirstDuplicate.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.trainableQuantizerClass(WEIGHTS, "DUP", UNIFORM));
        assertTrue(e.getMessage().contains("Registered for that target and identifier: ["
                + FirstDuplicate.class.getName() + " [SYMMETRIC]]"), e.getMessage());
        assertTrue(e.getMessage().contains("@MarkQuantizer"), e.getMessage());
        assertTrue(e.getMessage().contains("META-INF/services/io.jqi.quant.QuantizerProvider"),
                e.getMessage());
    }

    @Test
    void unknownIdentifierListsTheKnownOnes() {
        QuantizerRegistry r = new QuantizerRegistry().register(FirstDuplicate.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.trainableQuantizerClass(WEIGHTS, "PACT", SYMMETRIC));
        assertTrue(e.getMessage().contains("known identifiers: [DUP]"), e.getMessage());
    }

    @Test
    void trainableLookupRejectsTheInferableIdentifier() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizerRegistry.global().trainableQuantizerClass(WEIGHTS, QuantizerId.INFERABLE, SYMMETRIC));
        assertTrue(e.getMessage().contains("use inferableQuantizerClass"), e.getMessage());
    }

    @Test
    void classWithoutMarkQuantizerIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new QuantizerRegistry().register(NotAnnotated.class));
        assertTrue(e.getMessage().contains("must be annotated with @MarkQuantizer"), e.getMessage());
    }

    @Test
    void abstractClassIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new QuantizerRegistry().register(AbstractQuantizer.class));
        assertTrue(e.getMessage().contains("is abstract"), e.getMessage());
    }

    @Test
    void nonInferableClassCannotUseTheInferableIdentifier() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new QuantizerRegistry().register(ClaimsInferable.class));
        assertTrue(e.getMessage().contains("does not extend InferableQuantizer"), e.getMessage());
    }

    @Test
    void annotationWithoutMethodsIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new QuantizerRegistry().register(NoMethods.class));
        assertTrue(e.getMessage().contains("lists no quantization method"), e.getMessage());
    }

    @Test
    void blankIdentifierIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new QuantizerRegistry().register(BlankIdentifier.class));
        assertTrue(e.getMessage().contains("blank identifier"), e.getMessage());
    }

    @Test
    void builtInProviderListsTheNineInferableQuantizers() {
        assertEquals(9, new InferableQuantizers().quantizerClasses().size());
        QuantizerRegistry r = new QuantizerRegistry().registerAll(new InferableQuantizers().quantizerClasses());
        assertEquals(9, r.registeredClasses().size());
        assertEquals(java.util.Set.of(QuantizerId.INFERABLE), r.identifiers());
    }
}
