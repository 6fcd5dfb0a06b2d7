// Checks what a consumer (and Maven Central) gets for every published jqi artifact: the effective POM's metadata,
// the bom's list, and the main, -sources and -javadoc jars in the repository invoker:install filled.
import java.util.zip.ZipFile

def version = jqiVersion
def repoUrl = jqiRepositoryUrl
def jars = jqiPublishedJars.split(',')*.trim()
def poms = ['jqi-parent', 'jqi-bom'] + jars
def problems = []

poms.each { a ->
    def file = new File(basedir, "target/effective-poms/${a}.xml")
    if (!file.isFile()) { problems << "${a}: no effective POM"; return }
    def p = new groovy.xml.XmlSlurper(false, false).parse(file)
    def check = { String what, boolean ok -> if (!ok) problems << "${a}: ${what}" }
    check("name is '${p.name}'", p.name.text().trim() && !(a != 'jqi-parent' && p.name.text() == 'jqi: JVM quantizers infrastructure'))
    check('no description', p.description.text().trim() as boolean)
    check("url is '${p.url}', not ${repoUrl}", p.url.text() == repoUrl)
    check('licenses are not Apache-2.0 alone',
        p.licenses.license.size() == 1 && p.licenses.license.name.text() == 'Apache-2.0'
            && p.licenses.license.url.text() == 'https://www.apache.org/licenses/LICENSE-2.0.txt')
    check('no developer with a name', p.developers.developer.size() > 0 && p.developers.developer.every { it.name.text().trim() })
    check("scm is '${p.scm.connection}', '${p.scm.developerConnection}', '${p.scm.url}'",
        p.scm.connection.text() == "scm:git:${repoUrl}.git" && p.scm.developerConnection.text() == "scm:git:${repoUrl}.git"
            && p.scm.url.text() == repoUrl)
    check("groupId:version is ${p.groupId}:${p.version}", p.groupId.text() == 'io.jqi' && p.version.text() == version)
    check('a ${...} left uninterpolated', !file.text.contains('${'))
    if (a == 'jqi-bom') {
        check('has a parent (an imported bom must not bring a parent\'s dependencyManagement)', p.parent.size() == 0)
        def listed = p.dependencyManagement.dependencies.dependency.collect { "${it.groupId}:${it.artifactId}:${it.version}" }
        def wanted = jars.collect { "io.jqi:${it}:${version}" }
        check("lists ${listed}, not ${wanted}", listed as Set == wanted as Set && listed.size() == wanted.size())
    }
}

// The jars, as invoker:install copied them from this build: classes, sources, API docs.
jars.each { a ->
    def dir = new File(localRepositoryPath, "io/jqi/${a}/${version}")
    def entries = { String classifier ->
        def f = new File(dir, "${a}-${version}${classifier ? '-' + classifier : ''}.jar")
        if (!f.isFile()) { problems << "${a}: no ${f.name}"; return [] }
        def z = new ZipFile(f)
        try { z.entries().collect { it.name } } finally { z.close() }
    }
    if (!entries('').any { it.startsWith('io/jqi/') && it.endsWith('.class') }) problems << "${a}: the jar has no io/jqi classes"
    if (!entries('sources').any { it.startsWith('io/jqi/') && (it.endsWith('.java') || it.endsWith('.kt')) }) problems << "${a}: the -sources.jar has no sources"
    if (!entries('javadoc').contains('index.html')) problems << "${a}: the -javadoc.jar has no index.html"
}

problems.each { println "published-poms: ${it}" }
assert problems.isEmpty() : problems.join('; ')
println "published-poms: ${poms.size()} POMs and ${jars.size() * 3} jars checked"
return true
