// The consumer ran (exec-maven-plugin fails the build on a non-zero exit) and printed jqi's result.
def log = new File(basedir, 'build.log').text
def expected = 'jqi java consumer: quantized [0.0, 1.34375, 3.984375], registry WeightsUniformInferableQuantizer, qat config QatConfig'
assert log.contains(expected) : "build.log lacks: ${expected}"
return true
