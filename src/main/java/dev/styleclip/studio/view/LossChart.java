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
        // only the terms the run reports are in the chart (and its legend): an inversion plots LPIPS, an edit its
        // CLIP / L2 / ID terms; a series joins when its first point arrives and leaves when its list is cleared
        for (String term : terms) {
            XYChart.Series<Number, Number> s = new XYChart.Series<>();
            s.setName(term);
            ObservableList<LossPoint> points = curves.apply(term);
            for (LossPoint p : points) s.getData().add(new XYChart.Data<>(p.step(), p.value()));
            if (!points.isEmpty()) chart.getData().add(s);
            points.addListener((ListChangeListener<LossPoint>) c -> {
                while (c.next()) {
                    if (c.wasRemoved() && c.getList().isEmpty()) s.getData().clear();
                    if (c.wasAdded()) for (LossPoint p : c.getAddedSubList()) s.getData().add(new XYChart.Data<>(p.step(), p.value()));
                }
                boolean shown = chart.getData().contains(s);
                if (s.getData().isEmpty() && shown) {
                    chart.getData().remove(s);
                } else if (!s.getData().isEmpty() && !shown) {
                    int at = 0;
                    for (String t : terms.subList(0, terms.indexOf(term))) {
                        if (chart.getData().stream().anyMatch(other -> other.getName().equals(t))) at++;
                    }
                    chart.getData().add(at, s);
                }
            });
        }
        return chart;
    }
}
