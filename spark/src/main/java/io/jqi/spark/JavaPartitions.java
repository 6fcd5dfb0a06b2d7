package io.jqi.spark;

import java.io.Serializable;
import org.apache.spark.api.java.function.FlatMapFunction;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * A Java partition function as the Scala function that Spark's barrier API takes ({@code RDD.barrier()
 * .mapPartitions}, which the Java RDD API does not offer).
 */
final class JavaPartitions<T, U> extends AbstractFunction1<Iterator<T>, Iterator<U>> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final FlatMapFunction<java.util.Iterator<T>, U> function;

    JavaPartitions(FlatMapFunction<java.util.Iterator<T>, U> function) {
        this.function = function;
    }

    @Override
    public Iterator<U> apply(Iterator<T> partition) {
        try {
            return CollectionConverters.asScala(function.call(CollectionConverters.asJava(partition)));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
