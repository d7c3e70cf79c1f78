package dev.styleclip.studio.view;

import dev.styleclip.studio.viewmodel.LiveViewModel.LossPoint;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;

import java.util.List;
import java.util.function.Function;

/** Live loss curves: one line per loss term, following the view model's lists of points (a cleared list clears its line). */
final class LossChart {
    private LossChart() {
    }

    static LineChart<Number, Number> create(String id, List<String> terms, Function<String, ObservableList<LossPoint>> curves) {
        NumberAxis x = new NumberAxis();
        x.setLabel("step");
        x.setForceZeroInRange(false);
        NumberAxis y = new NumberAxis();
        y.setLabel("loss");
        y.setForceZeroInRange(false);
        LineChart<Number, Number> chart = new LineChart<>(x, y);
        chart.setId(id);
        chart.setCreateSymbols(false);
        chart.setAnimated(false);
        for (String term : terms) {
            XYChart.Series<Number, Number> s = new XYChart.Series<>();
            s.setName(term);
            chart.getData().add(s);
            ObservableList<LossPoint> points = curves.apply(term);
            for (LossPoint p : points) s.getData().add(new XYChart.Data<>(p.step(), p.value()));
            points.addListener((ListChangeListener<LossPoint>) c -> {
                while (c.next()) {
                    if (c.wasRemoved() && c.getList().isEmpty()) s.getData().clear();
                    if (c.wasAdded()) for (LossPoint p : c.getAddedSubList()) s.getData().add(new XYChart.Data<>(p.step(), p.value()));
                }
                // LineChart does not redraw the line of a series whose data became empty: the old path would stay
                // on screen at its old pixel positions under the new axis, so an empty series is hidden instead
                if (s.getNode() != null) s.getNode().setVisible(!s.getData().isEmpty());
            });
        }
        return chart;
    }
}
