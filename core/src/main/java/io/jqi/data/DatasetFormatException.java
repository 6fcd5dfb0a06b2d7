package io.jqi.data;

import java.io.IOException;

/**
 * A dataset file that exists and can be read but whose contents are wrong: a bad magic number, data shorter or
 * longer than its header declares, a malformed CSV line. The message starts with the file (and line, where there is
 * one) and says what is wrong, so a command-line tool can print it as it is.
 */
public final class DatasetFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;

    /** {@code source} names the file (or resource) at fault; {@code problem} says what is wrong with it. */
    public DatasetFormatException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    /** As {@link #DatasetFormatException(String, String)}, keeping the low-level exception that revealed it. */
    public DatasetFormatException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** The file or resource at fault, as named in the message. */
    public String source() {
        return source;
    }
}
