package dev.styleclip;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The application's name and version (filtered into a resource at build time). */
public final class AppInfo {
    public static final String NAME = "StyleCLIP Studio";
    private static final String VERSION = load();

    private AppInfo() {
    }

    public static String version() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = AppInfo.class.getResourceAsStream("app.properties")) {
            if (in == null) return "dev";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
