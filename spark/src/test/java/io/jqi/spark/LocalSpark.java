package io.jqi.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** The embedded Spark of the tests and of {@link StepTiming}: no UI, the driver on the loopback address. */
final class LocalSpark {
    private LocalSpark() {
    }

    /** A context on {@code master}, such as {@code local[2]}, or {@code local[2, 4]} to retry failed tasks. */
    static JavaSparkContext start(String master, String name) {
        return new JavaSparkContext(new SparkConf().setMaster(master).setAppName(name)
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    }
}
