///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/src/main/java/unboxed/**/*.java
//SOURCES ../guide/src/main/java/unboxed/site/*.java
//SOURCES lab*.java
//DEPS net.java.dev.jna:jna:5.19.1 info.picocli:picocli:4.7.7 com.google.code.gson:gson:2.15.0
//DEPS org.freemarker:freemarker:2.3.34 org.commonmark:commonmark:0.32.0
//RUNTIME_OPTIONS --enable-native-access=ALL-UNNAMED
//MAIN Guide

/**
 * {@code ./jbang guide}: writes the HTML guides (site/) from the labs. It lives beside the labs because it is built
 * with them: //SOURCES lab*.java compiles every lab into this program, so the generator reads each lab's description
 * in-process (the same text {@code describe --json} prints) instead of starting a JVM per lab. The work is in lib
 * (unboxed.site); the pages are templates/*.ftlh.
 */
class Guide {
    public static void main(String... args) {
        unboxed.site.GuideCli.main(args);
    }
}
