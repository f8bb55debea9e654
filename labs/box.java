///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED
//MAIN Box

/**
 * {@code ./jbang box}: a container runtime on the labs' library that runs an OCI bundle like runc (run, state, kill,
 * delete, list). The work is in lib (unboxed.oci: Bundle reads config.json, Container makes the container).
 */
class Box {
    public static void main(String... args) {
        System.exit(unboxed.oci.BoxCli.execute(args));
    }
}
