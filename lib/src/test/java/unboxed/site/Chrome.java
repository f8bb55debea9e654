package unboxed.site;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real headless Chromium, driven through Debian's chromedriver with the W3C WebDriver protocol (JSON over HTTP on
 * loopback; no client library). Console messages and network requests come from chromedriver's browser and
 * performance logs. Fails with the apt-get line when chromium or chromedriver is missing.
 */
final class Chrome implements AutoCloseable {
    static final String CHROMIUM = "/usr/bin/chromium", DRIVER = "/usr/bin/chromedriver";
    private static final Gson GSON = new Gson();
    private final Process driver;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String session;

    /** True when both are installed (the tests fail, saying so, when they are not). */
    static String missing() {
        List<String> m = new ArrayList<>();
        if (!Files.isExecutable(Path.of(CHROMIUM))) m.add("chromium");
        if (!Files.isExecutable(Path.of(DRIVER))) m.add("chromium-driver");
        return m.isEmpty() ? null : String.join(" and ", m) + " missing: sudo apt-get install -y chromium chromium-driver";
    }

    Chrome(boolean dark) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(DRIVER, "--port=" + port, "--allowed-ips=127.0.0.1")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        // the browser's profile and its scoped folders go to a temp folder of this JVM's, removed when it exits
        // (chromedriver and Chromium leave them in /tmp otherwise)
        pb.environment().put("TMPDIR", unboxed.LabHarness.scratchDir("unboxed-chrome").toString());
        driver = pb.start();
        base = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                JsonObject st = call("GET", "/status", null).getAsJsonObject();
                if (st.getAsJsonObject("value").get("ready").getAsBoolean()) break;
            } catch (IOException notYet) {
                // starting
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("chromedriver did not start on port " + port);
            Thread.sleep(50);
        }
        List<String> args = new ArrayList<>(List.of("--headless=new", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-default-apps", "--disable-extensions", "--window-size=1200,900", "--hide-scrollbars"));
        if (dark) args.add("--force-dark-mode");
        Map<String, Object> caps = Map.of("capabilities", Map.of("alwaysMatch", Map.of(
            "browserName", "chrome",
            "goog:chromeOptions", Map.of("binary", CHROMIUM, "args", args),
            "goog:loggingPrefs", Map.of("browser", "ALL", "performance", "ALL"))));
        JsonObject s = call("POST", "/session", caps).getAsJsonObject().getAsJsonObject("value");
        session = "/session/" + s.get("sessionId").getAsString();
        cdp("Emulation.setEmulatedMedia", Map.of("features",
            List.of(Map.of("name", "prefers-color-scheme", "value", dark ? "dark" : "light"))));
    }

    private JsonElement call(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (body != null) {
            r.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(GSON.toJson(body)));
        } else {
            r.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> res = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        JsonElement json = JsonParser.parseString(res.body());
        if (res.statusCode() != 200) throw new IllegalStateException(method + " " + path + " -> " + res.statusCode() + ": " + res.body());
        return json;
    }

    private JsonElement value(String method, String path, Object body) throws IOException, InterruptedException {
        return call(method, session + path, body).getAsJsonObject().get("value");
    }

    JsonElement cdp(String cmd, Map<String, Object> params) throws IOException, InterruptedException {
        return value("POST", "/goog/cdp/execute", Map.of("cmd", cmd, "params", params));
    }

    void open(String url) throws IOException, InterruptedException {
        value("POST", "/url", Map.of("url", url));
    }

    /** Runs JavaScript in the page (a function body; use return) and gives back its result. */
    JsonElement js(String script, Object... args) throws IOException, InterruptedException {
        return value("POST", "/execute/sync", Map.of("script", script, "args", List.of(args)));
    }

    /** Runs asynchronous JavaScript: the script calls arguments[arguments.length - 1] with its result. */
    JsonElement jsAsync(String script, Object... args) throws IOException, InterruptedException {
        return value("POST", "/execute/async", Map.of("script", script, "args", List.of(args)));
    }

    /** The page laid out as on a screen this wide and high (CSS pixels, scale 1; mobile: a phone's viewport). */
    void viewport(int width, int height, boolean mobile) throws IOException, InterruptedException {
        cdp("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
    }

    /** Lets every page read and write the clipboard, as a reader who allowed it would (for checking what Copy copied). */
    void allowClipboard() throws IOException, InterruptedException {
        cdp("Browser.grantPermissions", Map.of("permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
    }

    /** A real click (WebDriver element click: scrolled into view, hit-tested) on the element a CSS selector finds. */
    void click(String css) throws IOException, InterruptedException {
        JsonObject el = value("POST", "/element", Map.of("using", "css selector", "value", css)).getAsJsonObject();
        String id = el.entrySet().iterator().next().getValue().getAsString();
        value("POST", "/element/" + id + "/click", Map.of());
    }

    /** Reloads the page, as the reader's reload button does. */
    void reload() throws IOException, InterruptedException {
        value("POST", "/refresh", Map.of());
    }

    /** The page laid out as on a screen this wide and high, in CSS pixels (390 x 844: a phone; 1280 x 800: a laptop). */
    void viewport(int width, int height) throws IOException, InterruptedException {
        viewport(width, height, width < 600);
    }

    /** WebDriver key codes of the keys the pages answer to (W3C WebDriver, "Keyboard actions"). */
    static final String RIGHT = "\uE014", LEFT = "\uE012", UP = "\uE013", DOWN = "\uE015", SPACE = "\uE00D",
        HOME = "\uE011", END = "\uE010", PAGE_DOWN = "\uE00F", PAGE_UP = "\uE00E", SHIFT = "\uE008";

    /** Real key presses (WebDriver actions: keydown and keyup, as a keyboard sends them), with Shift held if asked. */
    void press(boolean shift, String... keys) throws IOException, InterruptedException {
        List<Map<String, Object>> seq = new ArrayList<>();
        if (shift) seq.add(Map.of("type", "keyDown", "value", SHIFT));
        for (String k : keys) {
            seq.add(Map.of("type", "keyDown", "value", k));
            seq.add(Map.of("type", "keyUp", "value", k));
        }
        if (shift) seq.add(Map.of("type", "keyUp", "value", SHIFT));
        value("POST", "/actions", Map.of("actions", List.of(Map.of("type", "key", "id", "keyboard", "actions", seq))));
        value("DELETE", "/actions", null);
    }

    /** Browser log entries since the last call (console messages, failed loads, CSP violations). */
    List<JsonObject> consoleLog() throws IOException, InterruptedException {
        return log("browser");
    }

    /** The URLs the page requested since the last call (performance log: Network.requestWillBeSent). */
    List<String> requests() throws IOException, InterruptedException {
        List<String> urls = new ArrayList<>();
        for (JsonObject e : log("performance")) {
            JsonObject msg = JsonParser.parseString(e.get("message").getAsString()).getAsJsonObject().getAsJsonObject("message");
            if (msg.get("method").getAsString().equals("Network.requestWillBeSent")) {
                urls.add(msg.getAsJsonObject("params").getAsJsonObject("request").get("url").getAsString());
            }
        }
        return urls;
    }

    private List<JsonObject> log(String type) throws IOException, InterruptedException {
        JsonArray a = value("POST", "/se/log", Map.of("type", type)).getAsJsonArray();
        List<JsonObject> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsJsonObject()));
        return out;
    }

    /** The whole page as a PNG (beyond the window), for a person to look at. */
    void screenshot(Path file) throws IOException, InterruptedException {
        JsonObject r = cdp("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true)).getAsJsonObject();
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(r.get("data").getAsString()));
    }

    @Override
    public void close() {
        try {
            call("DELETE", session, null);
        } catch (Exception e) {
            // the driver goes next anyway
        }
        driver.destroy();
        try {
            if (!driver.waitFor(5, TimeUnit.SECONDS)) driver.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
