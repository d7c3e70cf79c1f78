package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.EditRegions;
import dev.styleclip.edit.FaceLandmarks;
import dev.styleclip.image.AlphaMask;
import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.service.EditPort;
import dev.styleclip.studio.service.StudioPort;
import javafx.beans.InvalidationListener;

/**
 * The live view's region overlay (View ▸ Region overlay, Ctrl+R): while shown, the regions chosen in the Edit tab are
 * tinted over the before picture — amber what an "edit only" run may change, blue what a "keep" run keeps — drawn from
 * the landmarks a run would use ({@link EditPort#faceLandmarks}: face-api's on the picture, else the mean face, which the
 * note says). The landmarks are asked for once per picture on the compute thread; the mask follows the region
 * switches, grow and feather at once, drawn here at most {@link #SIDE}² (a preview; the run draws its own at the
 * generator's size).
 */
public final class RegionOverlay {
    /** The overlay's largest side: the live view shows the picture at about this size. */
    static final int SIDE = 256;
    static final int EDIT_TINT = 0xf59e0b, KEEP_TINT = 0x3b82f6;

    private final EditPort backend;
    private final EditSettings edit;
    private final LiveViewModel live;
    /** The picture the landmarks belong to, and them (null until known). */
    private Pixels landmarksOf;
    private FaceLandmarks landmarks;
    private Pixels asked;

    RegionOverlay(EditPort backend, EditSettings edit, LiveViewModel live) {
        this.backend = backend;
        this.edit = edit;
        this.live = live;
        InvalidationListener redraw = o -> refresh();
        live.regionOverlayShownProperty().addListener(redraw);
        live.beforeProperty().addListener(redraw);
        edit.regionModeProperty().addListener(redraw);
        for (String r : EditSettings.regionNames()) edit.regionProperty(r).addListener(redraw);
        edit.regionGrow().valueProperty().addListener(redraw);
        edit.regionFeather().valueProperty().addListener(redraw);
    }

    /** Shows or hides the overlay. */
    public void toggle() {
        live.regionOverlayShownProperty().set(!live.regionOverlayShownProperty().get());
    }

    private void refresh() {
        Pixels before = live.beforeProperty().get();
        if (!live.regionOverlayShownProperty().get()) {
            clear("");
            return;
        }
        if (before == null || before.width() != before.height()) {
            clear("region overlay: no face from the generator to draw the regions over yet");
            return;
        }
        EditRegions regions;
        try {
            regions = edit.regions(Math.min(SIDE, before.width()));
        } catch (IllegalArgumentException e) {
            clear("region overlay: " + e.getMessage());
            return;
        }
        if (regions == null) {
            clear("region overlay: the whole face may change (choose regions in the Edit tab)");
            return;
        }
        if (landmarksOf != before) {
            ask(before);
            return;
        }
        int side = Math.min(SIDE, before.width());
        AlphaMask mask = regions.chosenMask(scaled(landmarks, side), side);
        live.regionOverlayProperty().set(tint(mask, regions.mode() == EditRegions.Mode.KEEP ? KEEP_TINT : EDIT_TINT));
        live.regionNoteProperty().set(regions.describe() + " — " + landmarks.note());
    }

    /** Asks for the landmarks of {@code picture} once; the answer redraws (unless another picture came meanwhile). */
    private void ask(Pixels picture) {
        if (asked == picture) return;
        asked = picture;
        live.regionNoteProperty().set("region overlay: finding the face's landmarks…");
        backend.faceLandmarks(picture, new StudioPort.Listener<>() {
            @Override
            public void done(FaceLandmarks result) {
                if (asked != picture) return;
                landmarksOf = picture;
                landmarks = result;
                refresh();
            }

            @Override
            public void failed(Throwable error) {
                if (asked != picture) return;
                asked = null;
                clear("region overlay: " + Notice.describe(error));
            }
        });
    }

    private void clear(String note) {
        live.regionOverlayProperty().set(null);
        live.regionNoteProperty().set(note);
    }

    /** Landmarks of a {@code lm.size()}² picture in a {@code side}² one (pixel-index coordinates: centres map to centres). */
    static double[][] scaled(FaceLandmarks lm, int side) {
        double k = (double) side / lm.size();
        double[][] out = new double[lm.points().length][];
        for (int i = 0; i < out.length; i++) out[i] = new double[]{(lm.points()[i][0] + 0.5) * k - 0.5, (lm.points()[i][1] + 0.5) * k - 0.5};
        return out;
    }

    /** The mask as a half-transparent tint (alpha 0.45 at full strength). */
    static Pixels tint(AlphaMask mask, int rgb) {
        int[] argb = new int[mask.alpha().length];
        for (int i = 0; i < argb.length; i++) argb[i] = Math.round(mask.alpha()[i] * 0.45f * 255) << 24 | rgb;
        return new Pixels(mask.width(), mask.height(), argb);
    }
}
