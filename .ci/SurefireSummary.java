import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;

/**
 * Prints one reactor-wide line "N passed, N failed, N skipped" from every module's
 * target/surefire-reports/TEST-*.xml; exits 1 when anything failed or no test ran. Run as
 * "java .ci/SurefireSummary.java [ROOT]" (single-file source launch, no build needed).
 */
public class SurefireSummary {
    public static void main(String[] args) throws Exception {
        Path root = Paths.get(args.length > 0 ? args[0] : ".");
        List<Path> reports;
        try (Stream<Path> files = Files.walk(root)) {
            reports = files.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml")
                    && p.getParent().endsWith(Paths.get("target", "surefire-reports")))
                .sorted().collect(Collectors.toList());
        }
        long tests = 0, failed = 0, skipped = 0;
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        for (Path report : reports) {
            Element suite = factory.newDocumentBuilder().parse(report.toFile()).getDocumentElement();
            tests += count(suite, "tests");
            failed += count(suite, "failures") + count(suite, "errors");
            skipped += count(suite, "skipped");
        }
        System.out.println((tests - failed - skipped) + " passed, " + failed + " failed, " + skipped + " skipped");
        System.exit(failed > 0 || tests == 0 ? 1 : 0);
    }

    private static long count(Element suite, String attribute) throws IOException {
        String value = suite.getAttribute(attribute);
        return value.isEmpty() ? 0 : Long.parseLong(value);
    }
}
