package dev.styleclip.studio;

import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.runtime.models.ModelCatalog;
import dev.styleclip.studio.service.ComputeBackend;
import dev.styleclip.studio.service.EditPort.EditMethod;
import dev.styleclip.studio.view.Dialogs;
import dev.styleclip.studio.view.MainWindow;
import dev.styleclip.studio.viewmodel.StudioPrefs;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.control.TabPane;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.prefs.Preferences;

/**
 * Renders the studio's panels to PNG files with {@code scene.snapshot} (used by {@code docs/screenshots/render.sh}
 * under Xvfb and openbox): {@code java ... dev.styleclip.studio.Screenshots OUTDIR [PHOTO]}. Uses the models folder of
 * the app (demo networks when none is installed) and a throw-away preferences node; with
 * {@code -Dscreenshots.maximize=true} the window opens maximised (the whole screen, less the window manager's frame)
 * and each shot waits until it is.
 */
public final class Screenshots {
    private Screenshots() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Paths.get(args.length > 0 ? args[0] : "docs/screenshots");
        Path photo = args.length > 1 ? Paths.get(args[1]) : null;
        Files.createDirectories(out);
        Preferences node = Preferences.userRoot().node("/dev/styleclip/screenshots-" + ProcessHandle.current().pid());
        if (Boolean.getBoolean("screenshots.maximize")) node.putBoolean("window.maximized", true);
        CompletableFuture<Void> started = new CompletableFuture<>();
        Platform.startup(() -> started.complete(null));
        started.get();
        Platform.setImplicitExit(false); // the second window opens after the first is hidden
        ModelCatalog catalog = ModelCatalog.standard();
        ComputeBackend backend = ComputeBackend.standard(catalog);
        MainWindow[] w = new MainWindow[1];
        Stage[] stage = new Stage[1];
        fx(() -> {
            stage[0] = new Stage();
            w[0] = StudioApp.open(stage[0], catalog, backend, new StudioPrefs(node), Dialogs.standard());
            w[0].setNotificationsEnabled(false);
            stage[0].show();
            return null;
        });
        StudioViewModel vm = w[0].viewModel();
        try {
            fx(() -> {
                vm.source().seedProperty().set(11);
                vm.source().psiProperty().set(0.7);
                vm.source().generate();
                return null;
            });
            await(() -> fx(() -> vm.document().current() != null && !vm.status().busyProperty().get()));
            shot(w[0], out.resolve("source.png"));
            tab(w[0], 1);
            fx(() -> {
                vm.edit().promptProperty().set("a face with purple hair");
                return null;
            });
            if (System.getProperty("screenshots.editModels") == null) shot(w[0], out.resolve("edit.png"));
            tab(w[0], 3);
            fx(() -> {
                w[0].setSideFraction(0.55);
                return null;
            });
            shot(w[0], out.resolve("models.png"));
            fx(() -> {
                w[0].setSideFraction(0.34);
                return null;
            });
            if (photo != null) {
                tab(w[0], 0);
                fx(() -> {
                    vm.source().importPhoto(photo);
                    return null;
                });
                await(() -> fx(() -> vm.source().photoProperty().get() != null || !vm.status().busyProperty().get()));
                await(() -> fx(() -> !vm.status().busyProperty().get()));
                shot(w[0], out.resolve("photo.png"));
                if (fx(() -> vm.source().photoProperty().get() != null && vm.source().selectedFaceProperty().get() >= 0)) {
                    fx(() -> {
                        vm.source().align();
                        return null;
                    });
                    await(() -> fx(() -> !vm.status().busyProperty().get()));
                    shot(w[0], out.resolve("aligned.png"));
                }
            }
            fx(() -> {
                w[0].toggleHelp();
                return null;
            });
            shot(w[0], out.resolve("help.png"));
        } finally {
            fx(() -> {
                stage[0].hide();
                return null;
            });
            backend.close();
        }
        String editModels = System.getProperty("screenshots.editModels");
        try {
            if (editModels != null) editShots(out, Paths.get(editModels), node);
        } finally {
            node.removeNode();
            Platform.exit();
        }
    }

    /**
     * The Edit tab after a real optimisation run, the compare grid and the Mapper tab after a short real training, on
     * the networks of {@code models} (the demo networks take minutes per step on a CPU; the script passes the tiny test
     * networks).
     */
    private static void editShots(Path out, Path models, Preferences node) throws Exception {
        ModelCatalog catalog = new ModelCatalog(models);
        System.err.println("edit shots on " + models);
        ComputeBackend backend = ComputeBackend.standard(catalog);
        MainWindow[] w = new MainWindow[1];
        Stage[] stage = new Stage[1];
        fx(() -> {
            stage[0] = new Stage();
            w[0] = StudioApp.open(stage[0], catalog, backend, new StudioPrefs(node), Dialogs.standard());
            w[0].setNotificationsEnabled(false);
            stage[0].show();
            return null;
        });
        System.err.println("window open");
        StudioViewModel vm = w[0].viewModel();
        try {
            fx(() -> {
                vm.source().seedProperty().set(11);
                vm.source().generate();
                return null;
            });
            await(() -> fx(() -> vm.document().current() != null && !vm.status().busyProperty().get()));
            tab(w[0], 1);
            fx(() -> {
                vm.edit().promptProperty().set("a face with purple hair");
                vm.edit().steps().set(Integer.getInteger("screenshots.steps", 60));
                vm.edit().lr().set(0.05);
                vm.run().runEdit();
                return null;
            });
            await(() -> fx(() -> !vm.run().editRunningProperty().get()));
            shot(w[0], out.resolve("edit.png"));
            fx(() -> {
                vm.edit().steps().set(Integer.getInteger("screenshots.gridSteps", 20));
                vm.compare().l2ValuesProperty().set("0.001, 0.1");
                vm.compare().idValuesProperty().set("0, 0.1");
                vm.run().runCompare();
                w[0].setBottomFraction(0.42);
                return null;
            });
            await(() -> fx(() -> !vm.compare().runningProperty().get()));
            shot(w[0], out.resolve("compare.png"));
            tab(w[0], 2);
            fx(() -> {
                w[0].setBottomFraction(0.97);
                var m = vm.mapperSettings();
                m.chooseFolder(models.resolve("mappers").resolve("purple-hair"));
                m.promptProperty().set("a face with purple hair");
                m.epochs().set(Integer.getInteger("screenshots.mapperEpochs", 4));
                m.stepsPerEpoch().set(3);
                vm.mapperRun().train();
                return null;
            });
            await(() -> fx(() -> !vm.mapperRun().runningProperty().get()));
            shot(w[0], out.resolve("mapper.png"));
            fx(() -> {
                w[0].reveal("#mapper-loss-chart");
                return null;
            });
            shot(w[0], out.resolve("mapper-trained.png"));

            // the trained mapper applied, then a global direction: an edit stack of two kinds of steps
            fx(() -> {
                vm.mapperLibrary().strength().set(0.5);
                vm.mapperLibrary().applySelected();
                return null;
            });
            await(() -> fx(() -> !vm.document().renderingStack() && !vm.document().editStack().isEmpty()));
            tab(w[0], 1);
            fx(() -> {
                w[0].setBottomFraction(0.42);
                vm.edit().methodProperty().set(EditMethod.GLOBAL_DIRECTION);
                vm.edit().promptProperty().set("a smiling face");
                vm.directions().images().set(2);
                vm.directions().prepare();
                return null;
            });
            await(() -> fx(() -> !vm.directions().preparingProperty().get()));
            fx(() -> {
                vm.edit().alpha().set(4);
                vm.edit().beta().set(0.05);
                vm.run().runEdit();
                return null;
            });
            await(() -> fx(() -> !vm.document().renderingStack() && !vm.run().editRunningProperty().get() && vm.document().editStack().size() >= 2));
            fx(() -> {
                vm.compare().betaValuesProperty().set("0.02, 0.08");
                vm.compare().alphaValuesProperty().set("-6, 0, 6");
                vm.run().runCompare();
                return null;
            });
            await(() -> fx(() -> !vm.compare().runningProperty().get()));
            fx(() -> {
                w[0].reveal("#edit-stack");
                return null;
            });
            shot(w[0], out.resolve("directions.png"));

            // a photo inverted by projection (on the tiny 32 px generator: a blurry colour patch, honestly)
            String photo = System.getProperty("screenshots.photo");
            if (photo != null) {
                tab(w[0], 0);
                fx(() -> {
                    vm.source().importPhoto(Paths.get(photo));
                    return null;
                });
                await(() -> fx(() -> vm.source().photoProperty().get() != null && !vm.status().busyProperty().get()));
                fx(() -> {
                    vm.source().invertMethodProperty().set(PhotoInversion.Method.PROJECTION);
                    vm.source().invertSteps().set(Integer.getInteger("screenshots.invertSteps", 60));
                    vm.source().invert();
                    return null;
                });
                await(() -> fx(() -> !vm.source().invertingProperty().get()));
                shot(w[0], out.resolve("inverted.png"));
            }
        } finally {
            fx(() -> {
                stage[0].hide();
                return null;
            });
            backend.close();
        }
    }

    private static void tab(MainWindow w, int i) throws Exception {
        fx(() -> {
            TabPane t = w.tabs();
            t.getSelectionModel().select(i);
            return null;
        });
    }

    private static void shot(MainWindow w, Path file) throws Exception {
        Thread.sleep(400);
        if (Boolean.getBoolean("screenshots.maximize")) {
            // under a window manager the window gets maximised a moment after it shows (and after dialogs)
            await(() -> fx(() -> {
                javafx.stage.Window win = w.root().getScene().getWindow();
                javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getPrimary().getVisualBounds();
                return ((Stage) win).isMaximized() && win.getWidth() >= screen.getWidth() - 8;
            }));
            Thread.sleep(300);
        }
        WritableImage img = fx(() -> w.root().getScene().snapshot(null));
        ImageIO.write(SwingFXUtils.fromFXImage(img, null), "png", file.toFile());
        System.err.println("wrote " + file);
    }

    private static <T> T fx(Supplier<T> s) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(s.get());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(120, TimeUnit.SECONDS);
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Check c) throws Exception {
        long end = System.currentTimeMillis() + 900_000; // a loaded machine prepares directions slowly
        while (!c.ok()) {
            if (System.currentTimeMillis() > end) throw new IllegalStateException("timed out");
            Thread.sleep(200);
        }
    }

}
