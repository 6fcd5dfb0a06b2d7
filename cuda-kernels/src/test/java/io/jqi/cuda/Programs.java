package io.jqi.cuda;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the toolchain programs (nvcc, ptxas, g++) that some tests need and skip without. */
final class Programs {
    private Programs() {
    }

    /** The first executable named {@code program} on the PATH, as a shell would find it. */
    static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, program))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
