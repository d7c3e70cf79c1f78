package dev.styleclip.studio.view;

import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javafx.stage.Window;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The Getting started page (Help menu): the studio's whole loop in four steps, from the bundled text. */
final class GettingStarted {
    static final String RESOURCE = "/dev/styleclip/studio/getting-started.txt";

    private GettingStarted() {
    }

    /** The page's text. */
    static String text() {
        try (InputStream in = GettingStarted.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the application");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stage show(Window owner) {
        Label body = new Label(text());
        body.setId("getting-started-text");
        body.setWrapText(true);
        body.setPadding(new Insets(16));
        body.setMaxWidth(640);
        ScrollPane scroll = new ScrollPane(body);
        scroll.setFitToWidth(true);
        Stage stage = new Stage();
        if (owner != null) stage.initOwner(owner);
        stage.setTitle("Getting started");
        Scene scene = new Scene(scroll, 680, 620);
        scene.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ESCAPE) stage.close();
        });
        stage.setScene(scene);
        stage.show();
        return stage;
    }
}
