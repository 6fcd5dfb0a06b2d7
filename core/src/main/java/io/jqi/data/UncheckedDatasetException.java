package io.jqi.data;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A dataset file that failed while a {@link Dataset} read an example ({@link Dataset#get} cannot throw checked
 * exceptions): its cause, usually a {@link DatasetFormatException}, names the file and the problem.
 */
public final class UncheckedDatasetException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    public UncheckedDatasetException(IOException cause) {
        super(cause.getMessage(), cause);
    }
}
